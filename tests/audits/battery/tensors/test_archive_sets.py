"""Archive sets through validate / prepare (io.py, mapping.py): problems named before any work,
and a packed .npy of tensors read row by row through its index column."""

from __future__ import annotations

import io
import warnings
import zipfile

import numpy as np
import onnxruntime
import pytest
import torch
from sklearn.metrics import confusion_matrix

from audits.battery import BatteryInputError, prepare, run, validate
from tests.tensor_models import digits_onnx, digits_test_zip, export_onnx


@pytest.fixture(scope="module")
def digits_zip(tmp_path_factory):
    return digits_test_zip(tmp_path_factory.mktemp("digits"))


def test_a_sound_archive_validates(digits_zip):
    assert validate(digits_zip, {"label": "label", "slices": ["ink"]}) == []


def test_a_manifest_naming_a_missing_member_is_a_problem_naming_it(tmp_path):
    path = tmp_path / "set.zip"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("manifest.csv", "file,label\nimages/0.png,1\nimages/1.png,0\n")
        out.writestr("images/0.png", b"x")
    (problem,) = validate(path, {"label": "label"})
    assert str(problem) == "column 'images/1.png': is named in the manifest but not in the archive"


def test_a_file_column_the_manifest_lacks_is_a_problem(digits_zip):
    (problem,) = validate(digits_zip, {"label": "label", "file": "path"})
    assert str(problem) == "column 'path': is named in the mapping but not found in the file"


def test_archive_keys_on_a_csv_set_are_refused_by_name(tmp_path):
    (tmp_path / "set.csv").write_text("y,p\n1,1\n0,0\n")
    problems = validate(tmp_path / "set.csv", {"label": "y", "prediction": "p",
                                               "preprocessing": {"scale": 1}})  # fmt: skip
    assert [p.column for p in problems] == ["preprocessing"]


def test_a_packed_npy_is_scored_row_by_row_through_its_index(tmp_path):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv1d(2, 4, 5), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 28, 3)).eval()  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = export_onnx(net, torch.zeros(1, 2, 32))
    (tmp_path / "net.onnx").write_bytes(graph)
    x = np.random.default_rng(0).normal(size=(90, 2, 32)).astype(np.float32)
    expected = onnxruntime.InferenceSession(graph).run(None, {"x": x})[0].argmax(axis=1)
    labels = np.arange(90) % 3
    buffer = io.BytesIO()
    np.save(buffer, x)
    with zipfile.ZipFile(tmp_path / "set.npz", "w") as out:
        out.writestr("x.npy", buffer.getvalue())
        out.writestr("manifest.csv", "file,row,label\n" + "".join(
            f"x.npy,{i},{y}\n" for i, y in enumerate(labels)))  # fmt: skip
    doc = run(tmp_path / "set.npz", {"label": "label", "index": "row"}, model=tmp_path / "net.onnx")
    (performance,) = [c for c in doc["checks"] if c["id"] == "performance"]
    matrix = performance["details"]["confusion_matrix"]["matrix"]
    assert matrix == confusion_matrix(labels, expected, labels=range(3)).tolist()
    assert doc["dataset"]["preprocessing"]["modality"] == "tensor"


def test_a_tensor_model_on_a_csv_set_is_refused_saying_it_needs_an_archive(tmp_path):
    (tmp_path / "set.csv").write_text("y,a\n1,0.5\n0,0.2\n")
    with pytest.raises(BatteryInputError, match="reads an archive set"):
        prepare(tmp_path / "set.csv", {"label": "y"}, model=digits_onnx(tmp_path))

"""The battery on a deep net: the digits CNN (ONNX) audited on its held-out split as a ZIP of
PNGs with manifest.csv. Every figure is checked against scikit-learn / NumPy on the model's
outputs computed here with onnxruntime directly."""

from __future__ import annotations

import csv
import io
import multiprocessing
import warnings
import zipfile

import numpy as np
import onnxruntime
import pytest
import torch
from sklearn.metrics import classification_report, confusion_matrix

from audits.battery import (
    RunSpec,
    chunk_statistics,
    chunks,
    finalize,
    merge_statistics,
    prepare,
    run,
)
from audits.battery.cli import main
from tests.tensor_models import (
    digits_cnn,
    digits_onnx,
    digits_test_zip,
    export_onnx,
    ink_band,
    png_bytes,
)

MAPPING = {"label": "label", "slices": ["ink"], "sensitive": ["ink"]}
CLASSES = [str(k) for k in range(10)]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("digits")
    return digits_onnx(directory), digits_test_zip(directory)


@pytest.fixture(scope="module")
def probabilities():
    """The CNN's softmax on the held-out split, by onnxruntime on the exported graph."""
    session = onnxruntime.InferenceSession(digits_cnn().onnx_bytes)
    logits = session.run(None, {"x": digits_cnn().x_test})[0].astype(np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def doc(files):
    return run(files[1], MAPPING, model=files[0])


def checks(doc) -> dict:
    return {c["id"]: c for c in doc["checks"]}


def test_per_class_metrics_equal_scikit_learns_report(doc, probabilities):
    report = classification_report(
        digits_cnn().y_test, probabilities.argmax(axis=1), output_dict=True, zero_division=0
    )
    per_class = checks(doc)["performance"]["details"]["per_class"]
    for key in CLASSES:
        for metric, name in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            assert per_class[key][metric] == pytest.approx(report[key][name], abs=1e-9)
        assert per_class[key]["support"] == report[key]["support"]


def test_the_confusion_matrix_equals_scikit_learns(doc, probabilities):
    expected = confusion_matrix(digits_cnn().y_test, probabilities.argmax(axis=1))
    matrix = checks(doc)["performance"]["details"]["confusion_matrix"]
    assert matrix["labels"] == CLASSES
    assert matrix["matrix"] == expected.tolist()


def test_slices_and_fairness_report_accuracy_by_ink(doc, probabilities):
    cnn = digits_cnn()
    ink = np.asarray([ink_band(p) for p in cnn.pixels_test])
    correct = probabilities.argmax(axis=1) == cnn.y_test
    slices = checks(doc)["slices"]["details"]["slices"]["ink"]
    groups = checks(doc)["fairness"]["details"]["attributes"]["ink"]["groups"]
    for band in ("light", "medium", "heavy"):
        assert slices[band]["accuracy"] == pytest.approx(correct[ink == band].mean(), abs=1e-9)
        assert groups[band]["accuracy"] == pytest.approx(correct[ink == band].mean(), abs=1e-9)


def test_calibration_is_measured_from_the_softmax(doc, probabilities):
    truth = np.eye(10)[digits_cnn().y_test]
    brier = ((probabilities - truth) ** 2).sum(axis=1).mean()
    assert checks(doc)["calibration"]["metrics"]["brier"] == pytest.approx(brier, abs=1e-7)


def test_the_document_records_the_preprocessing_and_where_outputs_came_from(doc):
    dataset = doc["dataset"]
    assert dataset["preprocessing"]["input_shape"] == [None, 1, 8, 8]
    assert dataset["preprocessing"]["layout"] == "NCHW"
    assert dataset["preprocessing"]["modality"] == "image"
    assert dataset["outputs"]["prediction"]["from"] == "artifact"
    assert dataset["mapping"]["file"] == "file" and dataset["mapping"]["features"] == []


def with_predictions(path, predictions) -> None:
    """Rewrite the archive's manifest with an uploaded prediction column."""
    with zipfile.ZipFile(path) as original:
        members = {n: original.read(n) for n in original.namelist()}
    rows = list(csv.reader(io.StringIO(members["manifest.csv"].decode())))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([*rows[0], "predicted"])
    writer.writerows([*row, int(p)] for row, p in zip(rows[1:], predictions, strict=True))
    members["manifest.csv"] = text.getvalue().encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)


def test_a_tampered_uploaded_prediction_column_fails_consistency(files, probabilities, tmp_path):
    predictions = probabilities.argmax(axis=1)
    predictions[:40] = (predictions[:40] + 1) % 10
    path = tmp_path / "tampered.zip"
    path.write_bytes(files[1].read_bytes())
    with_predictions(path, predictions)
    result = run(path, {**MAPPING, "prediction": "predicted"}, model=files[0])
    consistency = checks(result)["consistency"]
    assert consistency["metrics"]["label_disagreement_share"] == pytest.approx(40 / 397)
    assert consistency["status"] == "fail"


def test_the_command_line_audits_an_archive(files, tmp_path):
    out = tmp_path / "doc.json"
    code = main(["--data", str(files[1]), "--model", str(files[0]), "--label", "label",
                 "--out", str(out)])  # fmt: skip
    assert code in (0, 1)
    assert '"result_sha256"' in out.read_text()


def test_chunks_across_processes_give_the_same_document(files, doc):
    spec = prepare(files[1], MAPPING, model=files[0], rows_per_chunk=100)
    wire = spec.resolved().to_json()
    assert RunSpec.from_json(wire).to_json() == wire
    planned = chunks(RunSpec.from_json(wire))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        states = pool.starmap(_chunk, [(wire, chunk) for chunk in planned])
    assert len(planned) == 4
    merged = merge_statistics(states)
    assert finalize(RunSpec.from_json(wire), merged, None)["result_sha256"] == doc["result_sha256"]


def _chunk(wire: dict, chunk: list[int]) -> dict:
    """One chunk's statistics in a fresh process: the spec from JSON, the model and archive
    opened there."""
    return chunk_statistics(RunSpec.from_json(wire), "current", chunk)


def test_forked_workers_give_the_same_result_as_one_process(files, doc):
    two = run(files[1], MAPPING, model=files[0], rows_per_chunk=100, workers=2)
    assert two["result_sha256"] == doc["result_sha256"]


class NHWCNet(torch.nn.Module):
    """The digits CNN behind an NHWC 16x16 input that undoes mean / std and halves the size."""

    def __init__(self, inner, mean: float, std: float):
        super().__init__()
        self.inner, self.mean, self.std = inner, mean, std

    def forward(self, x):
        x = x.permute(0, 3, 1, 2) * self.std + self.mean
        return self.inner(torch.nn.functional.avg_pool2d(x, 2))


def test_nhwc_resize_and_mean_std_preprocessing_feed_the_model_what_it_expects(tmp_path):
    from PIL import Image

    cnn = digits_cnn()
    net = NHWCNet(cnn.module, 0.5, 0.25).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (tmp_path / "nhwc.onnx").write_bytes(export_onnx(net, torch.zeros(1, 16, 16, 1)))
    big = np.stack([np.asarray(Image.fromarray(p).resize((16, 16), Image.Resampling.BILINEAR))
                    for p in cnn.pixels_test[:60]])  # fmt: skip
    with torch.no_grad():
        x = torch.from_numpy(big[..., None].astype(np.float32) / 255)
        expected = net((x - 0.5) / 0.25).argmax(dim=1).numpy()
    path = tmp_path / "small.zip"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("manifest.csv", "file,label\n" + "".join(
            f"{i}.png,{y}\n" for i, y in enumerate(cnn.y_test[:60])))  # fmt: skip
        for i, pixels in enumerate(cnn.pixels_test[:60]):
            out.writestr(f"{i}.png", png_bytes(pixels))
    mapping = {"label": "label", "classes": CLASSES,
               "preprocessing": {"resize": [16, 16], "mean": [0.5], "std": [0.25]}}  # fmt: skip
    result = run(path, mapping, model=tmp_path / "nhwc.onnx")
    matrix = checks(result)["performance"]["details"]["confusion_matrix"]["matrix"]
    assert matrix == confusion_matrix(cnn.y_test[:60], expected, labels=range(10)).tolist()
    assert result["dataset"]["preprocessing"]["layout"] == "NHWC"

"""TensorModel: the digits CNN's ONNX graph opened as a deep net, its array protocol against the
torch module it was exported from, graphs it refuses, and PyTorch files refused like pickle."""

from __future__ import annotations

import io
import warnings

import numpy as np
import onnx
import pytest
import torch

from audits.battery.artifacts import ArtifactError, detect_format, open_artifact
from audits.battery.tensors.archive import TensorArchive
from audits.battery.tensors.model import TensorModel
from audits.battery.tensors.preprocessing import Preprocessing
from tests.tensor_models import digits_cnn, digits_onnx, digits_test_zip


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("digits")
    return digits_onnx(directory), digits_test_zip(directory)


@pytest.fixture(scope="module")
def bound(files):
    model = open_artifact(files[0], "onnx")
    archive = TensorArchive(files[1])
    model.bind(["file"], list(archive.manifest().columns), {})
    return model.attached(archive, Preprocessing()), archive.manifest()


def test_an_onnx_graph_over_images_opens_as_a_tensor_model(files):
    model = open_artifact(files[0], "onnx")
    assert isinstance(model, TensorModel)
    assert model.input_shape == (None, 1, 8, 8)
    assert model.classes == [str(k) for k in range(10)]


def test_image_rows_are_in_zero_one_input_units_clipped_there(bound):
    model, manifest = bound
    assert model.modality == "image" and model.clip_values == (0.0, 1.0)
    assert model.normalization is None
    assert np.array_equal(model.pixels(manifest), digits_cnn().x_test)


def test_logits_are_the_torch_modules_outputs(bound):
    cnn = digits_cnn()
    with torch.no_grad():
        expected = cnn.module(torch.from_numpy(cnn.x_test)).numpy()
    logits = bound[0].logits_array(cnn.x_test)
    assert logits.shape == (397, 10)
    np.testing.assert_allclose(logits, expected, atol=1e-4)
    assert np.array_equal(bound[0].predict_array(cnn.x_test), expected.argmax(axis=1))


def test_scores_are_the_softmax_of_the_logits(bound):
    model, manifest = bound
    labels, probabilities = model.outputs(manifest[:20])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1)
    assert list(labels) == [str(k) for k in probabilities.argmax(axis=1)]
    assert model.scores(manifest[:5])[1] == "probability"


def test_classes_come_from_the_onnx_metadata(files, tmp_path):
    proto = onnx.load_from_string(files[0].read_bytes())
    onnx.helper.set_model_props(proto, {"classes": '["zero","one","two","three","four","five",'
                                        '"six","seven","eight","nine"]'})  # fmt: skip
    (tmp_path / "named.onnx").write_bytes(proto.SerializeToString())
    assert open_artifact(tmp_path / "named.onnx", "onnx").classes[:2] == ["zero", "one"]


def test_a_graph_with_dynamic_image_dims_is_refused(tmp_path):
    module = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.AdaptiveAvgPool2d(1),
                                 torch.nn.Flatten())  # fmt: skip
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dynamic = {"x": {0: "n", 2: "h", 3: "w"}}
        torch.onnx.export(module, (torch.zeros(1, 1, 8, 8),), buffer, dynamo=False,
                          input_names=["x"], dynamic_axes=dynamic)  # fmt: skip
    (tmp_path / "dynamic.onnx").write_bytes(buffer.getvalue())
    with pytest.raises(ArtifactError, match=r"has dynamic dims .* export it with fixed dims"):
        open_artifact(tmp_path / "dynamic.onnx", "onnx")


def test_a_pt_file_is_refused_with_advice_to_export_to_onnx():
    with pytest.raises(ArtifactError, match=r"torch\.onnx\.export"):
        detect_format("net.pt", b"PK\x03\x04")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_torchscript_archive_is_refused_by_content_whatever_its_name(tmp_path):
    path = tmp_path / "net.onnx"
    torch.jit.save(torch.jit.script(digits_cnn().module), str(path))
    with pytest.raises(ArtifactError, match=r"not an ONNX model.*torch\.onnx\.export"):
        detect_format(path.name, path.read_bytes()[:8])
    with pytest.raises(ArtifactError, match=r"pickled members .*torch\.onnx\.export"):
        open_artifact(path, "skops")

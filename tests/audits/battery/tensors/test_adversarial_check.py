"""The adversarial check's deep-net branch on the digits CNN: series per attack and norm, the
headline at 8/255, pictures in the seams' shape, and the black-box result for a graph with an
operator the converter lacks.

The model here is the seams' array protocol over the ONNX graph and onnxruntime, as
``TensorModel`` gives it (tensors/model.py is written beside this branch); the full battery run
on the digits ZIP joins these tests when it is on main.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from types import SimpleNamespace

import numpy as np
import onnx
import onnxruntime
import pandas as pd
from onnx import helper, numpy_helper
from PIL import Image

from audits.battery.checks.adversarial import Adversarial
from audits.battery.spec import DEFAULT_OPTIONS
from tests.tensor_models import digits_cnn

OPTIONS = {
    **DEFAULT_OPTIONS, "tensor_attack_rows": 40, "black_box_rows": 4, "black_box_iterations": 2
}  # fmt: skip
EIGHT = DEFAULT_OPTIONS["tensor_reference_epsilon"]


class DigitsNet:
    """The digits CNN through the array protocol: rows named ``images/NNNN.png`` are the
    held-out digit NNNN, in [0, 1] pixels, NCHW."""

    reads = "tensors"
    classes = [str(i) for i in range(10)]
    columns = ["file"]
    layout = "NCHW"
    input_shape = (None, 1, 8, 8)
    modality = "image"
    clip_values = (0.0, 1.0)
    normalization = None

    def __init__(self, proto: onnx.ModelProto):
        self.proto = proto
        self.session = onnxruntime.InferenceSession(
            proto.SerializeToString(), providers=["CPUExecutionProvider"]
        )

    def pixels(self, frame: pd.DataFrame) -> np.ndarray:
        return digits_cnn().x_test[[int(name[7:11]) for name in frame["file"]]]

    def predict_array(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"x": x.astype(np.float32)})[0].argmax(axis=1)


def _with_max_for_relu(proto: onnx.ModelProto) -> onnx.ModelProto:
    """The same network with each Relu written as Max(x, 0), an operator the converter lacks."""
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    out.graph.initializer.append(numpy_helper.from_array(np.zeros((), np.float32), "zero"))
    for node in out.graph.node:
        if node.op_type == "Relu":
            node.CopyFrom(helper.make_node("Max", [node.input[0], "zero"], list(node.output)))
    return out


def _measure(proto: onnx.ModelProto):
    n = OPTIONS["tensor_attack_rows"]
    inputs = SimpleNamespace(
        options=OPTIONS,
        model=DigitsNet(proto),
        sample=pd.DataFrame({"file": [f"images/{i:04d}.png" for i in range(n)]}),
        labels=np.asarray([str(v) for v in digits_cnn().y_test[:n]], dtype=object),
    )
    return Adversarial().measure_model(inputs)


@cache
def _white_box():
    return _measure(onnx.load_from_string(digits_cnn().onnx_bytes))


@cache
def _black_box():
    return _measure(_with_max_for_relu(onnx.load_from_string(digits_cnn().onnx_bytes)))


def test_a_deep_net_gets_fgsm_and_pgd_under_both_norms_and_the_black_box_bound():
    assert set(_white_box().details["series"]) == {
        "FGSM L∞", "PGD L∞", "FGSM L2", "PGD L2", "HopSkipJump L∞ (upper bound)",
    }  # fmt: skip
    assert _white_box().details["white_box"] is True


def test_the_headline_is_pgd_linf_at_eight_over_255():
    pgd = {p["epsilon"]: p["accuracy"] for p in _white_box().details["series"]["PGD L∞"]}
    metrics = _white_box().metrics
    assert metrics["robust_accuracy"] == pgd[EIGHT]
    assert metrics["robust_accuracy_drop"] == pgd[0.0] - pgd[EIGHT]


def test_examples_show_clean_and_attacked_thumbnails_with_predictions():
    examples = _white_box().details["examples"]
    assert len(examples) == 4
    for example in examples:
        assert example["file"].startswith("images/")
        captions = [p["caption"] for p in example["panels"]]
        assert captions == ["clean", "FGSM L∞, ε = 0.03137", "PGD L∞, ε = 0.03137"]
        for panel in example["panels"]:
            assert panel["prediction"] in DigitsNet.classes
            picture = Image.open(io.BytesIO(base64.b64decode(panel["png"])))
            assert max(picture.size) <= 64


def test_a_graph_with_an_unconverted_operator_gets_the_black_box_result_and_says_so():
    measured = _black_box()
    assert measured.details["white_box"] is False
    assert list(measured.details["series"]) == ["HopSkipJump L∞ (upper bound)"]
    assert measured.details["white_box_unavailable"] == "not differentiable here: ops Max"
    assert any("ops Max" in f["message"] for f in measured.findings)


def test_the_black_box_result_is_a_bound_at_the_reference_epsilon():
    measured = _black_box()
    curve = measured.details["series"]["HopSkipJump L∞ (upper bound)"]
    assert (
        measured.metrics["robust_accuracy"]
        == min(curve, key=lambda p: abs(p["epsilon"] - EIGHT))["accuracy"]
    )
    assert measured.metrics["black_box_success_rate"] > 0


def test_black_box_pictures_pair_each_row_with_the_flip_found_for_it():
    examples = _black_box().details["examples"]
    assert len(examples) == OPTIONS["black_box_rows"]
    for example in examples:
        clean, attacked = example["panels"]
        assert attacked["caption"] == "HopSkipJump L∞, smallest flip found"
        if clean["prediction"] == example["label"]:
            assert attacked["prediction"] != example["label"]

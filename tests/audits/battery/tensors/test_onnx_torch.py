"""The ONNX -> torch converter against onnxruntime (outputs) and the original torch modules
(input gradients), on the digits CNN and two small nets exported here."""

from __future__ import annotations

import io
import warnings

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from onnx import TensorProto, helper

from audits.battery.tensors.onnx_torch import convert
from tests.tensor_models import digits_cnn, export_onnx


def _conv1d_net() -> torch.nn.Module:
    """A 1-D conv classifier (audio-like input (N, 2, 32)): strides, dilations, groups."""
    torch.manual_seed(1)
    return torch.nn.Sequential(
        torch.nn.Conv1d(2, 4, 5, stride=2, padding=2),
        torch.nn.LeakyReLU(0.1),
        torch.nn.Conv1d(4, 8, 3, dilation=2, groups=2, padding=1),
        torch.nn.Tanh(),
        torch.nn.MaxPool1d(2),
        torch.nn.AvgPool1d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(8 * 3, 5),
        torch.nn.Softmax(dim=1),
    ).eval()


class _NormNet(torch.nn.Module):
    """BatchNorm with non-trivial running statistics, asymmetric padding, average pooling that
    excludes the padding, a global average pool and a reshape through the batch size."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(2)
        self.pad = torch.nn.ZeroPad2d((1, 0, 1, 0))
        self.conv = torch.nn.Conv2d(3, 6, 3)
        self.norm = torch.nn.BatchNorm2d(6)
        self.norm.running_mean.uniform_(-0.5, 0.5)
        self.norm.running_var.uniform_(0.5, 2.0)
        self.pool = torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.drop = torch.nn.Dropout(0.5)
        self.head = torch.nn.Linear(6, 4)
        self.eval()

    def forward(self, x):
        x = self.pool(torch.sigmoid(self.norm(self.conv(self.pad(x)))))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1)
        x = self.drop(x.view(x.size(0), -1))
        return torch.log_softmax(self.head(x), dim=1)


def _inputs(shape, seed) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def _cases():
    cnn = digits_cnn()
    yield "digits CNN", cnn.module, cnn.onnx_bytes, cnn.x_test[:64]
    for name, module, shape in (
        ("1-D conv net", _conv1d_net(), (16, 2, 32)),
        ("BatchNorm / AvgPool net", _NormNet(), (16, 3, 9, 9)),
    ):
        x = _inputs(shape, 0)
        yield name, module, export_onnx(module, torch.from_numpy(x[:1])), x
    # without constant folding the exporter keeps BatchNormalization as a node of its own
    norm, x = _NormNet(), _inputs((16, 3, 9, 9), 1)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(norm, (torch.from_numpy(x[:1]),), buffer, dynamo=False,
                          do_constant_folding=False, dynamic_axes={"x": {0: "n"}},
                          input_names=["x"])  # fmt: skip
    yield "BatchNormalization node", norm, buffer.getvalue(), x


CASES = list(_cases())
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_converted_graph_gives_onnxruntimes_outputs(case):
    _, _, onnx_bytes, x = case
    session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: x})[0]
    module = convert(onnx.load_from_string(onnx_bytes)).module
    assert module is not None
    with torch.no_grad():
        got = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_converted_graph_gives_the_original_modules_input_gradients(case):
    _, original, onnx_bytes, x = case
    module = convert(onnx.load_from_string(onnx_bytes)).module
    assert module is not None

    def gradient(net) -> np.ndarray:
        inputs = torch.from_numpy(x).requires_grad_()
        outputs = net(inputs)
        target = torch.arange(len(x)) % outputs.shape[1]
        loss = torch.nn.functional.cross_entropy(outputs, target)
        return torch.autograd.grad(loss, inputs)[0].numpy()

    np.testing.assert_allclose(gradient(module), gradient(original), rtol=1e-5, atol=1e-5)


def test_a_graph_with_unsupported_ops_is_not_converted_and_names_them():
    graph = helper.make_graph(
        [
            helper.make_node("Erf", ["x"], ["e"]),
            helper.make_node("Relu", ["e"], ["r"]),
            helper.make_node("Einsum", ["r"], ["y"], equation="ij->ij"),
        ],
        "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
    )
    conversion = convert(helper.make_model(graph))
    assert conversion.module is None
    assert conversion.reason == "not differentiable here: ops Einsum, Erf"


def test_the_unfolded_export_keeps_batch_normalization_as_a_node():
    onnx_bytes = next(case[2] for case in CASES if case[0] == "BatchNormalization node")
    ops = {node.op_type for node in onnx.load_from_string(onnx_bytes).graph.node}
    assert "BatchNormalization" in ops


def _graph_of_shape_ops() -> onnx.ModelProto:
    """Operators torch's exporter rarely emits for the nets above, at opset 13: Sub / Div by a
    Constant, reflect Pad, Clip by inputs, Transpose, Reshape with a 0, MatMul, Unsqueeze and
    Squeeze by axes input, Concat, Dropout, Identity, Softmax."""
    rng = np.random.default_rng(3)
    values = {
        "pads": np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64),
        "low": np.array(-1.0, np.float32),
        "high": np.array(1.0, np.float32),
        "shape": np.array([0, -1], np.int64),
        "w": rng.normal(size=(72, 5)).astype(np.float32),
        "axis1": np.array([1], np.int64),
    }
    nodes = [
        helper.make_node("Constant", [], ["half"], value=onnx.numpy_helper.from_array(
            np.array(0.5, np.float32))),
        helper.make_node("Sub", ["x", "half"], ["a"]),
        helper.make_node("Div", ["a", "half"], ["b"]),
        helper.make_node("Pad", ["b", "pads"], ["p"], mode="reflect"),
        helper.make_node("Clip", ["p", "low", "high"], ["c"]),
        helper.make_node("Transpose", ["c"], ["t"], perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["t", "shape"], ["r"]),
        helper.make_node("MatMul", ["r", "w"], ["m"]),
        helper.make_node("Unsqueeze", ["m", "axis1"], ["u"]),
        helper.make_node("Squeeze", ["u", "axis1"], ["s"]),
        helper.make_node("Concat", ["s", "s"], ["cc"], axis=1),
        helper.make_node("Dropout", ["cc"], ["d"]),
        helper.make_node("Identity", ["d"], ["i"]),
        helper.make_node("Softmax", ["i"], ["y"], axis=-1),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes,
        "shape_ops",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 10])],
        [onnx.numpy_helper.from_array(v, k) for k, v in values.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def _softmax_before_opset_13() -> onnx.ModelProto:
    """Softmax over axis 1 of a rank-3 input at opset 11: over the input flattened to 2-D."""
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["y"], axis=1)],
        "old_softmax",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3, 4])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])


@pytest.mark.parametrize(
    ("build", "shape"),
    [(_graph_of_shape_ops, (5, 2, 4, 4)), (_softmax_before_opset_13, (5, 3, 4))],
    ids=["shape ops at opset 13", "softmax at opset 11"],
)
def test_hand_built_graphs_give_onnxruntimes_outputs(build, shape):
    proto = build()
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    x = (_inputs(shape, 4) * 4 - 2).astype(np.float32)
    session = onnxruntime.InferenceSession(
        proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    expected = session.run(None, {"x": x})[0]
    module = convert(proto).module
    assert module is not None
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(x)).numpy(), expected, rtol=1e-5,
                                   atol=1e-6)  # fmt: skip

"""An ONNX graph as a torch module, so FGSM and PGD get exact input gradients of a deep net.

``convert(proto)`` interprets the graph node by node in torch (eval mode; initializers and
Constant nodes become buffers) for the operators of CNN and 1-D-conv classifiers listed in
``OPS``, each with ONNX's semantics (Conv pads are [begins..., ends...], Reshape's 0 copies a
dimension, Softmax before opset 13 flattens at its axis). A graph with any other operator, a
subgraph or external data is not converted: the result names the operators, and the graph gets
the black-box attack only. onnx2torch / onnx2pytorch are not used: both import torchvision,
which does not import beside torch's CPU build (see README "Dependencies").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper


def _spatial(x: torch.Tensor, name: str) -> Callable:
    return {1: getattr(F, f"{name}1d"), 2: getattr(F, f"{name}2d"), 3: getattr(F, f"{name}3d")}[
        x.dim() - 2
    ]


def _pads(x: torch.Tensor, a: dict, kernel: list[int]) -> list[int]:
    """ONNX pads [begin_1.., end_1..] for ``x``'s spatial axes, auto_pad resolved."""
    n = x.dim() - 2
    auto = a.get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        strides, dilations = a.get("strides", [1] * n), a.get("dilations", [1] * n)
        begins, ends = [], []
        for size, k, s, d in zip(x.shape[2:], kernel, strides, dilations, strict=True):
            total = max(0, (math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size)
            small, large = total // 2, total - total // 2
            begins.append(small if auto == "SAME_UPPER" else large)
            ends.append(large if auto == "SAME_UPPER" else small)
        return begins + ends
    if auto == "VALID":
        return [0] * 2 * n
    return list(a.get("pads", [0] * 2 * n))


def _torch_pad(pads: list[int]) -> list[int]:
    """ONNX [b_1.., e_1..] as F.pad's (b_last, e_last, ..., b_1, e_1)."""
    n = len(pads) // 2
    return [p for i in reversed(range(n)) for p in (pads[i], pads[i + n])]


def _conv(x, w, b=None, **a):
    n = x.dim() - 2
    x = F.pad(x, _torch_pad(_pads(x, a, list(w.shape[2:]))))
    return _spatial(x, "conv")(
        x, w, b, a.get("strides", [1] * n), 0, a.get("dilations", [1] * n), a.get("group", 1)
    )


def _max_pool(x, **a):
    n, kernel = x.dim() - 2, a["kernel_shape"]
    x = F.pad(x, _torch_pad(_pads(x, a, kernel)), value=-math.inf)
    return _spatial(x, "max_pool")(
        x,
        kernel,
        a.get("strides", [1] * n),
        0,
        a.get("dilations", [1] * n),
        bool(a.get("ceil_mode")),
    )


def _average_pool(x, **a):
    n, kernel = x.dim() - 2, a["kernel_shape"]
    pad = _torch_pad(_pads(x, a, kernel))
    pool = _spatial(x, "avg_pool")
    strides, ceil = a.get("strides", [1] * n), bool(a.get("ceil_mode"))
    total = pool(F.pad(x, pad), kernel, strides, 0, ceil)
    if a.get("count_include_pad", 0) or not any(pad):
        return total
    # ONNX's default averages over the real (unpadded) inputs of each window only
    ones = F.pad(torch.ones_like(x[:1, :1]), pad)
    return total / pool(ones, kernel, strides, 0, ceil)


def _batch_norm(x, scale, bias, mean, var, **a):
    shape = (1, -1) + (1,) * (x.dim() - 2)
    inv = scale / torch.sqrt(var + a.get("epsilon", 1e-5))
    return (x - mean.reshape(shape)) * inv.reshape(shape) + bias.reshape(shape)


def _gemm(a_, b_, c=None, **a):
    a_ = a_.T if a.get("transA") else a_
    b_ = b_.T if a.get("transB") else b_
    y = a.get("alpha", 1.0) * (a_ @ b_)
    return y if c is None else y + a.get("beta", 1.0) * c


def _div(x, y, **a):
    integer = not (x.is_floating_point() or y.is_floating_point())
    return torch.div(x, y, rounding_mode="trunc") if integer else x / y


def _flatten(x, **a):
    axis = a.get("axis", 1) % (x.dim() + 1)
    return x.reshape(math.prod(x.shape[:axis]), -1)


def _gather(x, indices, **a):
    axis = a.get("axis", 0) % x.dim()
    return x[(slice(None),) * axis + (indices,)]


def _reshape(x, shape, **a):
    dims = [int(d) for d in shape.tolist()]
    if not a.get("allowzero"):
        dims = [x.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    return x.reshape(dims)


def _softmax(fn: Callable) -> Callable:
    def op(x, *, opset: int, **a):
        axis = a.get("axis", -1 if opset >= 13 else 1)
        if opset >= 13:
            return fn(x, dim=axis)
        axis %= x.dim()  # before opset 13: over the input flattened to 2-D at the axis
        return fn(x.reshape(math.prod(x.shape[:axis]), -1), dim=1).reshape(x.shape)

    return op


def _axes(a: dict, axes) -> list[int] | None:
    if axes is not None:
        return [int(v) for v in axes.tolist()]
    return list(a["axes"]) if "axes" in a else None


def _squeeze(x, axes=None, **a):
    chosen = _axes(a, axes)
    if chosen is None:
        return x.squeeze()
    return x.squeeze(tuple(v % x.dim() for v in chosen))


def _unsqueeze(x, axes=None, **a):
    chosen = _axes(a, axes)
    rank = x.dim() + len(chosen or [])
    for v in sorted(v % rank for v in chosen or []):
        x = x.unsqueeze(v)
    return x


def _clip(x, lo=None, hi=None, **a):
    lo = lo if lo is not None else a.get("min")
    hi = hi if hi is not None else a.get("max")
    return torch.clamp(x, lo, hi)


def _pad(x, pads=None, value=None, axes=None, **a):
    n = x.dim()
    spec = [int(v) for v in pads.tolist()] if pads is not None else list(a["pads"])
    if axes is not None:  # opset 18: pads for the named axes only
        chosen, full = [int(v) % n for v in axes.tolist()], [0] * 2 * n
        for i, axis in enumerate(chosen):
            full[axis], full[axis + n] = spec[i], spec[i + len(chosen)]
        spec = full
    mode = a.get("mode", "constant")
    if mode == "constant":
        fill = float(value) if value is not None else a.get("value", 0.0)
        return F.pad(x, _torch_pad(spec), value=fill)
    # torch reflects and replicates the spatial axes only (batch and channels are never padded)
    spatial = spec[2:n] + spec[n + 2 :]
    return F.pad(x, _torch_pad(spatial), mode={"reflect": "reflect", "edge": "replicate"}[mode])


def _constant(*, value=None, value_float=None, value_floats=None, value_int=None,
              value_ints=None, **a):  # fmt: skip
    if value is not None:
        return torch.from_numpy(numpy_helper.to_array(value).copy())
    for v, dtype in ((value_float, torch.float32), (value_floats, torch.float32),
                     (value_int, torch.int64), (value_ints, torch.int64)):  # fmt: skip
        if v is not None:
            return torch.tensor(v, dtype=dtype)
    raise ValueError("a Constant node without a value")


def _constant_of_shape(shape, value=None, **a):
    fill = torch.from_numpy(numpy_helper.to_array(value).copy()) if value is not None else None
    dims = [int(d) for d in shape.tolist()]
    return torch.zeros(dims) if fill is None else fill.reshape(()).expand(dims).clone()


def _slice(x, starts, ends, axes=None, steps=None, **a):
    chosen = range(len(starts)) if axes is None else [int(v) % x.dim() for v in axes.tolist()]
    for i, axis in enumerate(chosen):
        step = 1 if steps is None else int(steps[i])
        # Python's slice rules are ONNX's (clamped ends, negative steps): take its indices
        kept = range(*slice(int(starts[i]), int(ends[i]), step).indices(x.shape[axis]))
        x = torch.index_select(x, axis, torch.tensor(list(kept), dtype=torch.long))
    return x


def _cast(x, **a):
    dtype = helper.tensor_dtype_to_np_dtype(a["to"])
    return x.to(torch.from_numpy(np.zeros(0, dtype)).dtype)


OPS: dict[str, Callable] = {
    "Conv": _conv,
    "Relu": lambda x, **a: F.relu(x),
    "LeakyRelu": lambda x, **a: F.leaky_relu(x, a.get("alpha", 0.01)),
    "Sigmoid": lambda x, **a: torch.sigmoid(x),
    "Tanh": lambda x, **a: torch.tanh(x),
    "MaxPool": _max_pool,
    "AveragePool": _average_pool,
    "GlobalAveragePool": lambda x, **a: x.mean(dim=tuple(range(2, x.dim())), keepdim=True),
    "GlobalMaxPool": lambda x, **a: x.amax(dim=tuple(range(2, x.dim())), keepdim=True),
    "BatchNormalization": _batch_norm,
    "Gemm": _gemm,
    "MatMul": lambda x, y, **a: torch.matmul(x, y),
    "Add": lambda x, y, **a: x + y,
    "Sub": lambda x, y, **a: x - y,
    "Mul": lambda x, y, **a: x * y,
    "Div": _div,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Transpose": lambda x, **a: x.permute(a.get("perm", list(reversed(range(x.dim()))))),
    "Concat": lambda *xs, **a: torch.cat(xs, dim=a["axis"]),
    "Softmax": _softmax(torch.softmax),
    "LogSoftmax": _softmax(torch.log_softmax),
    "Identity": lambda x, **a: x,
    "Dropout": lambda x, *rest, **a: x,  # inference: the identity
    "Constant": _constant,
    "ConstantOfShape": _constant_of_shape,
    "Slice": _slice,
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Clip": _clip,
    "Pad": _pad,
    "Shape": lambda x, **a: torch.tensor(x.shape[a.get("start", 0) : a.get("end")]),
    "Gather": _gather,
    "Cast": _cast,
}
SOFTMAX_OPS = {"Softmax", "LogSoftmax"}  # their meaning of ``axis`` changed in opset 13


@dataclass(frozen=True)
class _Node:
    op: str
    inputs: tuple[str, ...]  # "" for an omitted optional input
    output: str
    attributes: dict


def _attributes(node: onnx.NodeProto) -> dict:
    out = {}
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        out[attribute.name] = value.decode() if isinstance(value, bytes) else value
    return out


class OnnxModule(torch.nn.Module):
    """The graph's nodes run in order on torch tensors; ``forward(x)`` returns its first output."""

    def __init__(self, proto: onnx.ModelProto):
        super().__init__()
        graph = proto.graph
        self.opset = next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), 1)
        self.names: dict[str, str] = {}  # ONNX value name -> buffer name
        for i, tensor in enumerate(graph.initializer):
            self._buffer(f"initializer_{i}", tensor.name, numpy_helper.to_array(tensor))
        known = {t.name for t in graph.initializer}
        self.input = next(v.name for v in graph.input if v.name not in known)
        self.output = graph.output[0].name
        self.nodes: list[_Node] = []
        for i, node in enumerate(graph.node):
            attributes = _attributes(node)
            if node.op_type == "Constant":
                value = _constant(**attributes)
                self.register_buffer(f"constant_{i}", value)
                self.names[node.output[0]] = f"constant_{i}"
            else:
                self.nodes.append(
                    _Node(node.op_type, tuple(node.input), node.output[0], attributes)
                )
        self.eval()

    def _buffer(self, name: str, onnx_name: str, array: np.ndarray) -> None:
        self.register_buffer(name, torch.from_numpy(np.array(array)))
        self.names[onnx_name] = name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values = {onnx_name: getattr(self, name) for onnx_name, name in self.names.items()}
        values[self.input] = x
        for node in self.nodes:
            args = [values[name] if name else None for name in node.inputs]
            extra = {"opset": self.opset} if node.op in SOFTMAX_OPS else {}
            values[node.output] = OPS[node.op](*args, **node.attributes, **extra)
        return values[self.output]


@dataclass(frozen=True)
class Conversion:
    """``module`` when every operator converts, else None and ``reason`` naming what did not."""

    module: OnnxModule | None
    reason: str | None


def _external(proto: onnx.ModelProto) -> bool:
    return any(
        t.data_location == onnx.TensorProto.EXTERNAL for t in proto.graph.initializer
    ) or any(a.t.data_location == onnx.TensorProto.EXTERNAL for n in proto.graph.node
             for a in n.attribute if a.type == onnx.AttributeProto.TENSOR)  # fmt: skip


def convert(proto: onnx.ModelProto) -> Conversion:
    """The graph as an OnnxModule, or None and why it is not differentiable here."""
    graph = proto.graph
    unsupported = sorted(
        {n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}"
         for n in graph.node if n.domain not in ("", "ai.onnx") or n.op_type not in OPS}
    )  # fmt: skip
    if unsupported:
        return Conversion(None, f"not differentiable here: ops {', '.join(unsupported)}")
    if len(graph.output) != 1:
        return Conversion(None, f"not differentiable here: {len(graph.output)} outputs, not 1")
    if _external(proto):
        return Conversion(None, "not differentiable here: tensors stored as external data")
    return Conversion(OnnxModule(proto), None)

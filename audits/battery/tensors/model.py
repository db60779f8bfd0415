"""An ONNX graph over images or tensors, seen through a set of manifest rows (tensors/archive.py).

The graph's single input is a float tensor of rank >= 3 with fixed non-batch dims; its first
output is (N, classes) logits or probabilities (softmax applied when rows do not sum to 1, so
its scores are always probabilities). Its ``columns`` are the manifest's file column (and an
index column for rows of one packed array): ``attached`` binds the run's archive and
preprocessing, and every frame of manifest rows is decoded from the archive, preprocessed and
run. The array protocol (input units: [0, 1] for 8-bit images, before mean / std, which the
wrapper applies) serves the attacks and corruptions: ``pixels``, ``clip_values``,
``normalization``, ``logits_array``, ``predict_array``.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd

from ..artifacts import ArtifactError
from ..errors import BatteryInputError, Problem
from ..model_adapters import Model, onnx_session
from ..value_keys import key_of
from .archive import TensorArchive
from .preprocessing import Preprocessing

_BATCH = 256  # rows per session run: bounds memory for large inputs


class TensorModel(Model):
    """A deep net exported to ONNX; ``input_shape`` is its input's shape with the batch None."""

    format = "onnx"
    reads = "tensors"

    def __init__(self, proto, input_shape: tuple[int, ...]):
        self.proto = proto
        self.session = onnx_session(proto)
        self.input_name = self.session.get_inputs()[0].name
        self.output_name = self.session.get_outputs()[0].name
        self.dims = input_shape  # the non-batch dims
        self.input_shape: tuple[int | None, ...] = (None, *input_shape)
        width = self._run(np.zeros((1, *input_shape), np.float32)).shape
        if len(width) != 2:
            raise ArtifactError(f"the ONNX model's first output has shape {width}, not (N, K)")
        self.classes = _metadata_classes(proto) or [str(k) for k in range(width[1])]
        if len(self.classes) != width[1]:
            raise ArtifactError(
                f"the ONNX metadata names {len(self.classes)} classes but "
                f"the model gives {width[1]} scores"
            )
        self.columns = []
        self.preprocessing = Preprocessing()
        self.layout = _default_layout(input_shape)
        self.modality = "image" if self.layout else "tensor"
        self.archive: TensorArchive | None = None

    def bind(self, features, header, kinds):
        if len(features) not in (1, 2):
            return [
                Problem(
                    "features",
                    "a tensor model reads the manifest's file column (and an index column); "
                    f"the mapping names {len(features)} features",
                )
            ]
        self.columns = list(features)
        return [
            Problem(c, "the model reads this column but the manifest has no such column")
            for c in features
            if c not in header
        ]

    def attached(
        self,
        archive: TensorArchive,
        preprocessing: Preprocessing,
        modality: str | None = None,
        classes: list[str] | None = None,
    ) -> TensorModel:
        """A copy (sharing the session) bound to a run's archive (a ``TensorArchive``), its
        preprocessing, modality ("image" for image members by default) and the classes the
        mapping declares (one per score); the loaded model itself stays unbound, so one cached
        per artifact serves every run and role."""
        problems = []
        if classes is not None and len(classes) != len(self.classes):
            problems.append(
                Problem(
                    "classes",
                    f"names {len(classes)} classes but the model gives {len(self.classes)} scores",
                )
            )
        channels = self.channels
        if channels is not None:
            problems.extend(preprocessing.problems_with(channels))
        if problems:
            raise BatteryInputError(problems)
        bound = copy.copy(self)
        bound.archive, bound.preprocessing = archive, preprocessing
        bound.layout = preprocessing.layout or _default_layout(self.dims)
        bound.modality = modality or ("image" if archive.images else "tensor")
        if classes is not None:
            bound.classes = list(classes)
        return bound

    def described(self) -> dict:
        """What the run's inputs are (the document's ``dataset.preprocessing``): the input
        shape, modality, and the preprocessing with its defaults resolved."""
        declared = self.preprocessing
        channels = self.channels
        default_channels = "grayscale" if channels == 1 else "rgb" if channels else None
        return {
            "input_shape": list(self.input_shape),
            "modality": self.modality,
            **declared.to_json(),
            "channels": declared.channels or default_channels,
            "layout": self.layout,
            "scale": self._scale(np.dtype(np.uint8 if self.modality == "image" else np.float32)),
        }

    @property
    def channels(self) -> int | None:
        """The input's channel count (rank-4 image inputs), else None."""
        if self.layout is None:
            return None
        return self.dims[0 if self.layout == "NCHW" else 2]

    @property
    def clip_values(self) -> tuple[float, float] | None:
        """The range of input units for images ((0, 1) for 8-bit pixels), else None."""
        if self.modality != "image":
            return None
        return (0.0, 255.0 * self._scale(np.dtype(np.uint8)))

    @property
    def normalization(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(mean, std) per channel, broadcastable to the input batch, or None when neither is
        declared."""
        p = self.preprocessing
        if p.mean is None and p.std is None:
            return None
        shape = [1] * len(self.input_shape)
        axis = 3 if self.layout == "NHWC" else 1
        count = max(len(p.mean or ()), len(p.std or ()))
        shape[axis] = count
        mean = np.asarray(p.mean or (0.0,), np.float32)
        std = np.asarray(p.std or (1.0,), np.float32)
        return (
            np.broadcast_to(mean, (count,)).reshape(shape),
            np.broadcast_to(std, (count,)).reshape(shape),
        )

    def pixels(self, frame: pd.DataFrame) -> np.ndarray:
        """The rows' members as a float32 batch in input units and the model's layout."""
        if self.archive is None:
            raise ValueError("bind the run's archive (attached) before scoring rows")
        names = [str(n) for n in frame[self.columns[0]]]
        indices = None
        if len(self.columns) > 1:
            indices = [int(i) for i in frame[self.columns[1]]]
        raws = self.archive.raw(names, indices)
        if not raws:
            return np.zeros((0, *self.dims), np.float32)
        return np.stack([self._one(n, r, self.dims) for n, r in zip(names, raws, strict=True)])

    def logits_array(self, x: np.ndarray) -> np.ndarray:
        """The graph's (N, K) outputs for a batch in input units (mean / std applied here)."""
        x = np.asarray(x, np.float32)
        norm = self.normalization
        if norm is not None:
            x = (x - norm[0]) / norm[1]
        parts = [self._run(x[i : i + _BATCH]) for i in range(0, len(x), _BATCH)]
        if not parts:
            return np.zeros((0, len(self.classes)))
        return np.concatenate(parts).astype(np.float64)

    def probabilities_array(self, x: np.ndarray) -> np.ndarray:
        """(N, K) class probabilities for a batch in input units (occlusion saliency reads them)."""
        return _probabilities(self.logits_array(x))

    def predict_array(self, x: np.ndarray) -> np.ndarray:
        """Class indices into ``classes`` for a batch in input units."""
        return np.argmax(self.logits_array(x), axis=1)

    def outputs(self, frame):
        probabilities = self.probabilities_array(self.pixels(frame))
        labels = np.asarray(self.classes, dtype=object)[np.argmax(probabilities, axis=1)]
        return labels, probabilities

    def predict(self, frame):
        return self.outputs(frame)[0]

    def scores(self, frame):
        return self.outputs(frame)[1], "probability"

    def attack_space(self, frame):
        return None  # the tabular attacks do not apply; tensors/attacks.py works on pixels

    def _run(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run([self.output_name], {self.input_name: x})[0])

    def _scale(self, dtype: np.dtype) -> float:
        if self.preprocessing.scale is not None:
            return self.preprocessing.scale
        if dtype == np.uint8:
            return 1 / 255
        return 1 / 65535 if dtype == np.uint16 else 1.0

    def _one(self, name: str, raw: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """One member as the model's input (without the batch dim), or an error naming it."""
        scale = self._scale(raw.dtype)
        if self.layout is not None and raw.dtype in (np.uint8, np.uint16) and raw.ndim in (2, 3):
            raw = self._image(raw)
            if self.layout == "NCHW":
                raw = np.moveaxis(raw, -1, 0)
        if tuple(raw.shape) != shape:
            advice = " (declare preprocessing.resize)" if self.layout else ""
            raise BatteryInputError(
                Problem(name, f"has shape {tuple(raw.shape)} but the model takes {shape}{advice}")
            )
        return (raw.astype(np.float64) * scale).astype(np.float32)  # x / 255 rounded once

    def _image(self, raw: np.ndarray) -> np.ndarray:
        """An H x W [x C] image in the declared channels and size, H x W x C."""
        from PIL import Image

        channels = self.channels or 1
        wanted = self.preprocessing.channels or ("grayscale" if channels == 1 else "rgb")
        if raw.dtype == np.uint16:
            image = Image.fromarray(raw.astype(np.float32), mode="F")  # 16-bit: one channel
            wanted = "grayscale"
        else:
            image = Image.fromarray(raw[..., 0] if raw.ndim == 3 and raw.shape[2] == 1 else raw)
            image = image.convert("L" if wanted == "grayscale" else "RGB")
        if self.preprocessing.resize:
            height, width = self.preprocessing.resize
            image = image.resize((width, height), Image.Resampling.BILINEAR)
        out = np.asarray(image)
        if raw.dtype == np.uint16:
            out = np.rint(out).astype(np.uint16)
        out = out[..., None] if out.ndim == 2 else out
        if wanted == "bgr":
            out = out[..., ::-1]
        if out.shape[-1] == 1 and channels == 3:
            out = np.repeat(out, 3, axis=-1)
        return out


def tensor_input(proto) -> tuple[int, ...] | None:
    """The non-batch dims of a graph whose single input is a float tensor of rank >= 3, None for
    a tabular graph; ArtifactError when such an input is not float or has dynamic dims."""
    initializers = {t.name for t in proto.graph.initializer}
    inputs = [i for i in proto.graph.input if i.name not in initializers]
    if len(inputs) != 1 or not inputs[0].type.HasField("tensor_type"):
        return None
    tensor = inputs[0].type.tensor_type
    dims = tensor.shape.dim
    if len(dims) < 3:
        return None
    fixed = [d.dim_value if d.HasField("dim_value") else None for d in dims[1:]]
    if tensor.elem_type != 1:  # onnx.TensorProto.FLOAT
        raise ArtifactError(
            f"the ONNX input '{inputs[0].name}' of rank {len(dims)} must be "
            "float32 (an image or tensor model)"
        )
    if any(d is None or d <= 0 for d in fixed):
        shown = ", ".join(str(d) if d else "?" for d in fixed)
        raise ArtifactError(
            f"the ONNX input '{inputs[0].name}' has dynamic dims (N, {shown});"
            " export it with fixed dims except the batch"
        )
    return tuple(int(d) for d in fixed if d is not None)


def _default_layout(shape: tuple) -> str | None:
    """NCHW or NHWC for a rank-4 input (the axis of 1, 3 or 4 channels), None otherwise."""
    if len(shape) != 3:
        return None
    if shape[0] not in (1, 3, 4) and shape[2] in (1, 3, 4):
        return "NHWC"
    return "NCHW"


def _metadata_classes(proto) -> list[str]:
    """Class keys from the ONNX metadata property "classes" (a JSON list), else []."""
    for prop in proto.metadata_props:
        if prop.key == "classes":
            try:
                values = json.loads(prop.value)
            except ValueError:
                return []
            return [key_of(v) for v in values] if isinstance(values, list) else []
    return []


def _probabilities(outputs: np.ndarray) -> np.ndarray:
    """The outputs as probabilities: as given when every row sums to 1, else their softmax."""
    if len(outputs) and np.allclose(outputs.sum(axis=1), 1, atol=1e-4) and outputs.min() >= 0:
        return outputs
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)

"""How archive members become a model's input batch: the mapping key ``preprocessing``.

Decoded members (images H x W [x C] uint8, or arrays) are converted to the declared channels,
resized, multiplied by ``scale`` and laid out as the model takes them; the result is in "input
units" (8-bit images: [0, 1]), where attacks and corruptions work. ``mean`` / ``std`` (per
channel) are applied after that by the model wrapper (model.py), never in input units. Without
a declaration 8-bit pixels scale by 1/255, arrays by 1, channels and layout follow the model's
input shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import BatteryInputError, Problem

CHANNELS = ("grayscale", "rgb", "bgr")
LAYOUTS = ("NCHW", "NHWC")
MODALITIES = ("image", "audio", "tensor")
_KEYS = ("resize", "channels", "layout", "scale", "mean", "std")
_NUMBERS = {"type": "array", "items": {"type": "number"}, "minItems": 1, "nullable": True}
# The mapping's "preprocessing" object (mapping.FIELDS), OpenAPI 3.0
PREPROCESSING_SCHEMA = {
    "resize": {**_NUMBERS, "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
    "channels": {"type": "string", "enum": list(CHANNELS), "nullable": True},
    "layout": {"type": "string", "enum": list(LAYOUTS), "nullable": True},
    "scale": {"type": "number", "nullable": True},
    "mean": _NUMBERS,
    "std": _NUMBERS,
}


@dataclass(frozen=True)
class Preprocessing:
    """What the mapping declares; None leaves a field to its default (see the module)."""

    resize: tuple[int, int] | None = None
    channels: str | None = None
    layout: str | None = None
    scale: float | None = None
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """The declaration as plain JSON (lists for tuples), every key present."""
        return {
            "resize": list(self.resize) if self.resize else None,
            "channels": self.channels,
            "layout": self.layout,
            "scale": self.scale,
            "mean": list(self.mean) if self.mean else None,
            "std": list(self.std) if self.std else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Preprocessing:
        """The declaration from the mapping, or BatteryInputError naming the field and why."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise BatteryInputError(Problem("preprocessing", "must be a JSON object"))
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise BatteryInputError(
                Problem(f"preprocessing.{unknown[0]}", f"unknown key; known: {', '.join(_KEYS)}")
            )
        return cls(
            resize=_resize(data.get("resize")),
            channels=_choice("channels", data.get("channels"), CHANNELS),
            layout=_choice("layout", data.get("layout"), LAYOUTS),
            scale=_scale(data.get("scale")),
            mean=_per_channel("mean", data.get("mean"), positive=False),
            std=_per_channel("std", data.get("std"), positive=True),
        )

    def problems_with(self, channels: int) -> list[Problem]:
        """Mean / std whose lengths do not fit a model input of ``channels`` channels."""
        return [
            Problem(
                f"preprocessing.{name}",
                f"gives {len(values)} values but the model's input has {channels} channels",
            )
            for name, values in (("mean", self.mean), ("std", self.std))
            if values is not None and len(values) not in (1, channels)
        ]


def _problem(field: str, reason: str) -> BatteryInputError:
    return BatteryInputError(Problem(f"preprocessing.{field}", reason))


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _resize(value) -> tuple[int, int] | None:
    if value is None:
        return None
    if not (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 8192 for v in value)
    ):
        raise _problem("resize", "must be [height, width], two whole numbers from 1 to 8192")
    return (value[0], value[1])


def _choice(field: str, value, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise _problem(field, f"must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _scale(value) -> float | None:
    if value is None:
        return None
    if not _number(value) or not value > 0:
        raise _problem("scale", "must be a positive number (1/255 for 8-bit pixels)")
    return float(value)


def _per_channel(field: str, value, *, positive: bool) -> tuple[float, ...] | None:
    if value is None:
        return None
    if _number(value):
        value = [value]
    if not (isinstance(value, list | tuple) and value and all(_number(v) for v in value)):
        raise _problem(field, "must be a number or a list of numbers, one per channel")
    if positive and not all(v > 0 for v in value):
        raise _problem(field, "must be positive")
    return tuple(float(v) for v in value)

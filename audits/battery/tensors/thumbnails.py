"""Small PNG pictures of model inputs, for a check's ``details["examples"]``.

``thumbnail_png`` draws one input in input units: an image ((C, H, W) for "NCHW", (H, W, C) for
"NHWC", values in ``value_range``, clipped) or a waveform ((C, T) or (T,), values in [-1, 1],
drawn as the min..max envelope of its first channel per pixel column). Small images are upscaled
by the largest whole factor that fits THUMBNAIL px (nearest neighbour: 8x8 digits become 64x64
blocks), large ones shrunk to fit (box filter). The PNG is written with fixed settings and no
metadata, so the same input always gives the same bytes and the document stays reproducible.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

THUMBNAIL = 64  # px, the longest side
WAVE_HEIGHT = 32  # px, a waveform's height


def _image(x: np.ndarray, layout: str | None, value_range: tuple[float, float]) -> Image.Image:
    hwc = np.moveaxis(x, 0, -1) if layout == "NCHW" else x
    lo, hi = value_range
    pixels = np.rint(np.clip((hwc - lo) / (hi - lo), 0.0, 1.0) * 255).astype(np.uint8)
    if pixels.shape[-1] == 1:
        picture = Image.fromarray(pixels[..., 0], mode="L")
    else:
        picture = Image.fromarray(pixels[..., :3], mode="RGB")
    width, height = picture.size
    factor = THUMBNAIL // max(width, height)
    if factor >= 1:
        return picture.resize((width * factor, height * factor), Image.Resampling.NEAREST)
    scale = THUMBNAIL / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return picture.resize(size, Image.Resampling.BOX)


def _row(value: float) -> int:
    """The pixel row of a sample value: +1 at the top, -1 at the bottom."""
    return int(np.rint((1 - value) / 2 * (WAVE_HEIGHT - 1)))


def _waveform(x: np.ndarray) -> Image.Image:
    wave = np.clip(np.atleast_2d(x)[0], -1.0, 1.0)
    columns = np.array_split(wave, min(THUMBNAIL, len(wave)))
    canvas = np.zeros((WAVE_HEIGHT, len(columns)), np.uint8)
    for i, part in enumerate(columns):
        canvas[_row(part.max()) : _row(part.min()) + 1, i] = 255
    return Image.fromarray(canvas, mode="L")


def thumbnail_png(
    x: np.ndarray, layout: str | None = "NCHW", value_range: tuple[float, float] = (0.0, 1.0)
) -> str:
    """One input (no batch axis) as a base64 PNG at most THUMBNAIL px on a side; an array of
    rank 1 or 2 is a waveform, rank 3 an image in ``layout`` ("NCHW" or "NHWC")."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 3:
        picture = _image(x, layout, value_range)
    elif x.ndim in (1, 2):
        picture = _waveform(x)
    else:
        raise ValueError(f"a thumbnail needs an input of rank 1 to 3, not {x.ndim}")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False, compress_level=9)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def panel(caption: str, prediction: str, x: np.ndarray, layout: str | None = "NCHW") -> dict:
    """One picture of a check's ``details["examples"]``: what it shows, the model's prediction
    (a class key) and the input's thumbnail."""
    return {"caption": caption, "prediction": prediction, "png": thumbnail_png(x, layout)}

"""Common corruptions of model inputs at severities 1..5, in input units, for the corruption check.

Images (a batch in "NCHW" or "NHWC", values in [0, 1]) follow ImageNet-C (Hendrycks & Dietterich,
"Benchmarking Neural Network Robustness to Common Corruptions and Perturbations", ICLR 2019, and
their code at github.com/hendrycks/robustness), with the constants of the variant made for the
image's size: CIFAR-10-C's (32 px) for a short side up to SMALL_SIDE px, ImageNet-C's (224 px)
above it; blur sigmas of the ImageNet-C variant shrink in proportion to a short side below 224
px (sigma x side / 224). The CIFAR sigmas are kept whole on smaller images: on 8x8 digits 0.4..1
px already merges strokes one pixel wide, and a smaller sigma would leave the image unchanged.

- gaussian_noise: clip(x + N(0, c²)), seeded;
- gaussian_blur: a Gaussian filter of sigma c over the two spatial axes ("nearest" edges, 4
  sigmas: skimage.filters.gaussian, which the paper used);
- brightness: the HSV value V raised to clip(V + c, 0, 1) with hue and saturation kept (each
  pixel scaled by V'/V; black becomes grey V' = c);
- contrast: (x - m) * c + m, clipped, m each image's mean per channel;
- jpeg: a Pillow JPEG round trip at quality c of the 8-bit image.

Audio (a batch (N, C, T), any amplitude): white_noise at a signal-to-noise ratio of 40, 30, 20,
10, 0 dB (Gaussian noise scaled so each row's measured SNR, 10·log10(mean x² / mean n²), is the
target exactly); time_shift (circular, by 5..50% of the length); gain (-6..-30 dB). Severity 0
is the identity for every corruption.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

SMALL_SIDE = 64
SEVERITIES = (1, 2, 3, 4, 5)

# per corruption: (CIFAR-10-C constants, ImageNet-C constants), severity 1..5
_IMAGE_LEVELS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "gaussian_noise": ((0.04, 0.06, 0.08, 0.09, 0.10), (0.08, 0.12, 0.18, 0.26, 0.38)),
    "gaussian_blur": ((0.4, 0.6, 0.7, 0.8, 1.0), (1.0, 2.0, 3.0, 4.0, 6.0)),
    "brightness": ((0.05, 0.1, 0.15, 0.2, 0.3), (0.1, 0.2, 0.3, 0.4, 0.5)),
    "contrast": ((0.75, 0.5, 0.4, 0.3, 0.15), (0.4, 0.3, 0.2, 0.1, 0.05)),
    "jpeg": ((80, 65, 58, 50, 40), (25, 18, 15, 10, 7)),
}
_AUDIO_LEVELS: dict[str, tuple[float, ...]] = {
    "white_noise": (40.0, 30.0, 20.0, 10.0, 0.0),  # SNR, dB
    "time_shift": (0.05, 0.1, 0.2, 0.3, 0.5),  # share of the length
    "gain": (-6.0, -12.0, -18.0, -24.0, -30.0),  # dB
}
IMAGE_CORRUPTIONS = tuple(_IMAGE_LEVELS)
AUDIO_CORRUPTIONS = tuple(_AUDIO_LEVELS)


def level(
    name: str, severity: int, shape: tuple[int, ...] = (), layout: str | None = "NCHW"
) -> float:
    """The constant ``name`` applies at ``severity`` (1..5) to a batch of ``shape`` in ``layout``
    (images: the variant and the blur scaling follow the short side)."""
    if name in _AUDIO_LEVELS:
        return _AUDIO_LEVELS[name][severity - 1]
    small, large = _IMAGE_LEVELS[name]
    side = min(_spatial(shape, layout))
    if side <= SMALL_SIDE:
        return small[severity - 1]
    value = large[severity - 1]
    return value * min(1.0, side / 224) if name == "gaussian_blur" else value


def _spatial(shape: tuple[int, ...], layout: str | None) -> tuple[int, int]:
    return (shape[2], shape[3]) if layout == "NCHW" else (shape[1], shape[2])


def _noise(x, c, rng):
    return np.clip(x + rng.normal(0.0, c, x.shape), 0.0, 1.0)


def _blur(x, c, rng):
    return gaussian_filter(x, sigma=(0, c, c, 0), mode="nearest", truncate=4.0)


def _brightness(x, c, rng):
    value = x.max(axis=-1, keepdims=True)
    raised = np.clip(value + c, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(value > 0, x * (raised / value), raised)


def _contrast(x, c, rng):
    means = x.mean(axis=(1, 2), keepdims=True)
    return np.clip((x - means) * c + means, 0.0, 1.0)


def jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    """One (H, W, C) image in [0, 1] saved by Pillow as a JPEG of ``quality`` and read back."""
    pixels = np.rint(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=int(quality))
    decoded = np.asarray(Image.open(buffer), dtype=np.float64) / 255
    return decoded.reshape(image.shape)


def _jpeg(x, c, rng):
    return np.stack([jpeg_round_trip(image, int(c)) for image in x])


def _white_noise(x, snr_db, rng):
    axes = tuple(range(1, x.ndim))
    noise = rng.standard_normal(x.shape)
    signal_power = np.mean(x**2, axis=axes, keepdims=True)
    target = signal_power / 10 ** (snr_db / 10)
    return x + noise * np.sqrt(target / np.mean(noise**2, axis=axes, keepdims=True))


def _time_shift(x, share, rng):
    return np.roll(x, round(share * x.shape[-1]), axis=-1)


def _gain(x, db, rng):
    return x * 10 ** (db / 20)


_APPLY: dict[str, Callable[[np.ndarray, float, np.random.Generator], np.ndarray]] = {
    "gaussian_noise": _noise,
    "gaussian_blur": _blur,
    "brightness": _brightness,
    "contrast": _contrast,
    "jpeg": _jpeg,
    "white_noise": _white_noise,
    "time_shift": _time_shift,
    "gain": _gain,
}


def corrupt(x: np.ndarray, name: str, severity: int, layout: str | None = "NCHW", seed: int = 0):
    """The batch ``x`` (images in ``layout``, or audio (N, C, T)) corrupted by ``name`` at
    ``severity`` (0: unchanged), as float32. Noise is drawn row after row from a generator seeded
    by ``seed``, so the first rows of a batch get the noise they get alone (the pictures of a
    check show what it counted)."""
    x = np.asarray(x, dtype=np.float64)
    if severity == 0:
        return x.astype(np.float32)
    c = level(name, severity, x.shape, layout)
    rng = np.random.default_rng(seed)
    if name in _AUDIO_LEVELS:
        return _APPLY[name](x, c, rng).astype(np.float32)
    nhwc = np.moveaxis(x, 1, -1) if layout == "NCHW" else x
    out = _APPLY[name](nhwc, c, rng)
    return (np.moveaxis(out, -1, 1) if layout == "NCHW" else out).astype(np.float32)

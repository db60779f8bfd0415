"""Occlusion saliency (Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks",
2014): which parts of an input the model's answer rests on, from predictions alone.

A patch of each input is replaced by the input's mean (per channel), slid over its spatial
axes (images: square patches of ``patch`` px; waveforms: windows of ``patch`` samples) with a
stride of half the patch; the drop in the true class's probability, p(y | x) - p(y | x with the
patch occluded), is credited to every pixel (sample) the patch covered, and a pixel's saliency
is the mean drop over the patches covering it. Positive: the pixel supports the true class.
No gradients are needed, so it applies to any graph.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def default_patch(shape: tuple[int, ...]) -> int:
    """A patch of about an eighth of the shortest spatial side, at least 2 (2 px on 8x8 digits)."""
    return max(2, min(shape) // 8)


def _spatial_first(x: np.ndarray, layout: str | None) -> np.ndarray:
    """(N, *spatial, C): images from NCHW / NHWC; waveforms (N, C, T) when layout is None."""
    return x if layout == "NHWC" else np.moveaxis(x, 1, -1)


def _model_layout(z: np.ndarray, layout: str | None) -> np.ndarray:
    return z if layout == "NHWC" else np.moveaxis(z, -1, 1)


def _windows(length: int, patch: int) -> list[slice]:
    stride = max(1, patch // 2)
    starts = list(range(0, max(1, length - patch + 1), stride))
    if starts[-1] + patch < length:
        starts.append(length - patch)  # the last window reaches the end
    return [slice(s, s + patch) for s in starts]


def occlusion_saliency(
    x: np.ndarray,
    y: np.ndarray,
    probabilities: Callable[[np.ndarray], np.ndarray],
    layout: str | None,
    patch: int | None = None,
) -> np.ndarray:
    """Saliency maps of the batch ``x`` (model layout; ``layout`` None: (N, C, T)) for the true
    classes ``y`` (indices into ``probabilities``' (N, K) columns): (N, H, W) or (N, T)."""
    z = _spatial_first(np.asarray(x, np.float32), layout)
    spatial = z.shape[1:-1]
    patch = patch or default_patch(spatial)
    rows = np.arange(len(z))
    base = probabilities(x)[rows, y]
    fill = z.mean(axis=tuple(range(1, z.ndim - 1)), keepdims=True)
    total = np.zeros((len(z), *spatial))
    covered = np.zeros(spatial)
    grids = [_windows(side, min(patch, side)) for side in spatial]
    for window in np.ndindex(*(len(g) for g in grids)):
        region = tuple(g[i] for g, i in zip(grids, window, strict=True))
        occluded = z.copy()
        occluded[(slice(None), *region)] = np.broadcast_to(
            fill, occluded[(slice(None), *region)].shape
        )
        drop = base - probabilities(_model_layout(occluded, layout))[rows, y]
        total[(slice(None), *region)] += drop.reshape(-1, *([1] * len(spatial)))
        covered[region] += 1
    return total / covered

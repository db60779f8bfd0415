"""Occlusion saliency on the digits CNN: the pixels it ranks highest are the ones the answer
rests on."""

from __future__ import annotations

import numpy as np
import pytest

from audits.battery.tensors.saliency import occlusion_saliency
from tests.tensor_models import digits_cnn

ROWS = 60
PIXELS = 8  # occluded per digit, of 64


@pytest.fixture(scope="module")
def probabilities():
    import onnxruntime

    session = onnxruntime.InferenceSession(digits_cnn().onnx_bytes)

    def run(x: np.ndarray) -> np.ndarray:
        logits = session.run(None, {"x": x.astype(np.float32)})[0].astype(np.float64)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    return run


def occluded(x: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """Each digit with the pixels ``picks`` (flat indices per row) set to its mean."""
    out = x.reshape(len(x), -1).copy()
    for row, pick in zip(out, picks, strict=True):
        row[pick] = row.mean()
    return out.reshape(x.shape)


def test_a_digits_map_has_one_value_per_pixel(probabilities):
    cnn = digits_cnn()
    maps = occlusion_saliency(cnn.x_test[:3], cnn.y_test[:3], probabilities, "NCHW")
    assert maps.shape == (3, 8, 8) and np.isfinite(maps).all()


def test_occluding_the_most_salient_pixels_costs_more_than_occluding_random_ones(probabilities):
    cnn = digits_cnn()
    x, y = cnn.x_test[:ROWS], cnn.y_test[:ROWS]
    maps = occlusion_saliency(x, y, probabilities, "NCHW")
    top = np.argsort(-maps.reshape(ROWS, -1), axis=1, kind="stable")[:, :PIXELS]
    rng = np.random.default_rng(0)
    random = np.stack([rng.choice(64, PIXELS, replace=False) for _ in range(ROWS)])
    clean = probabilities(x)[np.arange(ROWS), y]
    top_drop = clean - probabilities(occluded(x, top))[np.arange(ROWS), y]
    random_drop = clean - probabilities(occluded(x, random))[np.arange(ROWS), y]
    assert top_drop.mean() > 2 * random_drop.mean()


def test_a_waveforms_map_has_one_value_per_sample():
    t = np.arange(256) / 256
    x = np.sin(2 * np.pi * 8 * t)[None, None].astype(np.float32)

    def louder_first_half(batch: np.ndarray) -> np.ndarray:
        energy = np.abs(batch[:, 0, :128]).mean(axis=1)
        return np.stack([energy, 1 - energy], axis=1)

    saliency = occlusion_saliency(x, np.array([0]), louder_first_half, None)
    assert saliency.shape == (1, 256)
    assert saliency[0, :128].mean() > 0 and np.allclose(saliency[0, 160:], 0)

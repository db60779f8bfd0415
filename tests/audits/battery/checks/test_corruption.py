"""The corruption check's curves on the digits CNN (run by onnxruntime on the test split)."""

from __future__ import annotations

import numpy as np
import pytest

from audits.battery.checks.corruption import accuracy_curves
from audits.battery.tensors.corruptions import IMAGE_CORRUPTIONS
from tests.tensor_models import digits_cnn


@pytest.fixture(scope="module")
def digits():
    import onnxruntime

    cnn = digits_cnn()
    session = onnxruntime.InferenceSession(cnn.onnx_bytes, providers=["CPUExecutionProvider"])

    def predict(x: np.ndarray) -> np.ndarray:
        return session.run(None, {"x": x.astype(np.float32)})[0].argmax(axis=1)

    return cnn, predict


@pytest.fixture(scope="module")
def curves(digits):
    cnn, predict = digits
    return accuracy_curves(cnn.x_test, cnn.y_test, predict, IMAGE_CORRUPTIONS, "NCHW", 0)


def test_every_curve_starts_at_the_clean_accuracy(digits, curves):
    cnn, predict = digits
    clean = float(np.mean(predict(cnn.x_test) == cnn.y_test))
    assert clean > 0.85
    assert {curve[0]["accuracy"] for curve in curves.values()} == {clean}
    assert [p["severity"] for p in curves["jpeg"]] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("name", ["gaussian_blur", "contrast", "brightness"])
def test_accuracy_falls_as_blur_contrast_and_brightness_grow(name, curves):
    accuracies = [p["accuracy"] for p in curves[name]]
    assert accuracies[5] < accuracies[3] < accuracies[0]


def test_the_curves_are_the_same_on_a_second_run(digits, curves):
    cnn, predict = digits
    assert accuracy_curves(cnn.x_test, cnn.y_test, predict, IMAGE_CORRUPTIONS, "NCHW", 0) == curves


def test_a_tone_classifiers_accuracy_falls_as_the_snr_falls():
    import onnxruntime

    from audits.battery.tensors.corruptions import AUDIO_CORRUPTIONS
    from tests.audio_models import tone_cnn

    cnn = tone_cnn()
    session = onnxruntime.InferenceSession(cnn.onnx_bytes, providers=["CPUExecutionProvider"])

    def predict(x: np.ndarray) -> np.ndarray:
        return session.run(None, {"x": x.astype(np.float32)})[0].argmax(axis=1)

    curves = accuracy_curves(cnn.x_test, cnn.y_test, predict, AUDIO_CORRUPTIONS, None, 0)
    noise = [p["accuracy"] for p in curves["white_noise"]]  # clean, then 40 .. 0 dB
    assert noise == sorted(noise, reverse=True) and noise[-1] < noise[0]

"""Corruptions: ImageNet-C's formulas on known pixels, Pillow's JPEG, the audio SNR to 0.1 dB."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from audits.battery.tensors.corruptions import (
    AUDIO_CORRUPTIONS,
    IMAGE_CORRUPTIONS,
    SEVERITIES,
    corrupt,
    level,
)
from tests.tensor_models import digits_pixels


@pytest.fixture(scope="module")
def digits():
    """The first 20 digits as an NCHW batch in [0, 1]."""
    return digits_pixels()[0][:20, None].astype(np.float64) / 255


def tone(rows=3, length=800):
    t = np.arange(length) / 8000
    return np.stack([np.sin(2 * np.pi * (300 + 100 * i) * t) for i in range(rows)])[:, None]


@pytest.mark.parametrize("name", IMAGE_CORRUPTIONS)
def test_severity_zero_leaves_an_image_unchanged(name, digits):
    assert np.array_equal(corrupt(digits, name, 0), digits.astype(np.float32))


@pytest.mark.parametrize("name", AUDIO_CORRUPTIONS)
def test_severity_zero_leaves_a_waveform_unchanged(name):
    assert np.array_equal(corrupt(tone(), name, 0), tone().astype(np.float32))


@pytest.mark.parametrize("name", IMAGE_CORRUPTIONS)
def test_each_image_corruption_moves_the_pixels_further_as_severity_rises(name, digits):
    moved = [np.abs(corrupt(digits, name, s) - digits).mean() for s in SEVERITIES]
    assert moved[0] > 0
    assert moved[-1] > moved[0]


@pytest.mark.parametrize("snr", [40.0, 30.0, 20.0, 10.0, 0.0])
def test_the_noisy_waveform_has_the_target_snr_to_a_tenth_of_a_db(snr):
    clean = tone()
    severity = 1 + [40.0, 30.0, 20.0, 10.0, 0.0].index(snr)
    noise = corrupt(clean, "white_noise", severity, seed=3).astype(np.float64) - clean
    measured = 10 * np.log10((clean**2).mean(axis=(1, 2)) / (noise**2).mean(axis=(1, 2)))
    assert measured == pytest.approx(np.full(3, snr), abs=0.1)


def test_noise_is_the_same_for_the_same_seed_and_differs_for_another(digits):
    one = corrupt(digits, "gaussian_noise", 3, seed=1)
    assert np.array_equal(one, corrupt(digits, "gaussian_noise", 3, seed=1))
    assert not np.array_equal(one, corrupt(digits, "gaussian_noise", 3, seed=2))


@pytest.mark.parametrize("severity", SEVERITIES)
def test_jpeg_at_quality_q_is_pillows_round_trip(severity, digits):
    quality = level("jpeg", severity, digits.shape)
    buffer = io.BytesIO()
    Image.fromarray(digits_pixels()[0][0]).save(buffer, format="JPEG", quality=int(quality))
    expected = np.asarray(Image.open(buffer), dtype=np.float32) / np.float32(255)
    assert np.allclose(corrupt(digits[:1], "jpeg", severity)[0, 0], expected, atol=1e-7)


def test_brightness_adds_c_to_the_hsv_value_and_keeps_hue_and_saturation():
    pixels = np.array([[[[0.0, 0.0, 0.0], [0.5, 0.25, 0.0], [1.0, 0.5, 0.5]]]])  # NHWC, 1x3
    c = level("brightness", 2, pixels.shape, "NHWC")  # CIFAR-10-C's 0.1 on a small image
    out = corrupt(pixels, "brightness", 2, layout="NHWC")[0, 0]
    assert c == 0.1
    assert np.allclose(out[0], [0.1, 0.1, 0.1])  # black has no hue: grey at V = c
    assert np.allclose(out[1], [0.6, 0.3, 0.0])  # V 0.5 -> 0.6, each channel x 1.2
    assert np.allclose(out[2], [1.0, 0.5, 0.5])  # V already 1


def test_contrast_pulls_each_pixel_towards_the_image_mean_by_c():
    pixels = np.array([[[[0.0, 0.2, 0.4, 1.0]]]])  # NCHW, mean 0.4
    c = level("contrast", 1, pixels.shape)
    out = corrupt(pixels, "contrast", 1)[0, 0, 0]
    assert c == 0.75
    assert np.allclose(out, [0.1, 0.25, 0.4, 0.85])


def test_large_images_take_imagenet_c_constants_and_blur_shrinks_with_the_side():
    assert level("gaussian_noise", 5, (1, 3, 224, 224)) == 0.38
    assert level("gaussian_blur", 2, (1, 3, 224, 224)) == 2.0
    assert level("gaussian_blur", 2, (1, 112, 112, 3), "NHWC") == 1.0
    assert level("gaussian_noise", 5, (1, 1, 8, 8)) == 0.10


def test_a_time_shift_is_circular_and_gain_scales_by_decibels():
    wave = tone(1, 100)
    assert np.allclose(corrupt(wave, "time_shift", 2)[0, 0], np.roll(wave[0, 0], 10), atol=1e-7)
    assert np.allclose(corrupt(wave, "gain", 1), wave * 10 ** (-6 / 20), atol=1e-7)


@pytest.mark.parametrize("name", ["gaussian_noise", "white_noise"])
def test_the_first_rows_of_a_batch_get_the_noise_they_get_alone(name, digits):
    x = digits if name == "gaussian_noise" else tone(5)
    assert np.array_equal(corrupt(x, name, 3, seed=4)[:2], corrupt(x[:2], name, 3, seed=4))

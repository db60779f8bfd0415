"""Thumbnails: small, deterministic PNGs of the inputs a check shows."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from audits.battery.tensors.thumbnails import THUMBNAIL, thumbnail_png
from tests.tensor_models import digits_pixels


def decoded(png: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(png)))


def test_an_8x8_digit_is_drawn_as_64x64_blocks_of_its_own_pixels():
    pixels = digits_pixels()[0][0]
    picture = np.asarray(decoded(thumbnail_png(pixels[None] / 255, "NCHW")))
    assert picture.shape == (64, 64)
    assert np.array_equal(picture[::8, ::8], pixels)
    assert np.array_equal(picture, np.kron(pixels, np.ones((8, 8), np.uint8)))


def test_the_same_input_gives_the_same_bytes():
    x = digits_pixels()[0][5][None] / 255
    assert thumbnail_png(x) == thumbnail_png(x.copy())


def test_an_nhwc_colour_image_and_its_nchw_twin_give_one_picture():
    rgb = np.random.default_rng(0).random((10, 12, 3))
    assert thumbnail_png(rgb, "NHWC") == thumbnail_png(np.moveaxis(rgb, -1, 0), "NCHW")
    assert decoded(thumbnail_png(rgb, "NHWC")).size == (60, 50)


def test_a_large_image_is_shrunk_to_fit():
    picture = decoded(thumbnail_png(np.zeros((3, 224, 160))))
    assert max(picture.size) == THUMBNAIL and picture.size == (46, 64)


def test_a_waveform_is_drawn_as_its_envelope():
    wave = np.sin(np.linspace(0, 2 * np.pi, 640))[None]
    picture = np.asarray(decoded(thumbnail_png(wave)))
    assert picture.shape == (32, 64)
    ink = picture > 0
    assert ink[0].any() and ink[-1].any()  # the crest reaches the top, the trough the bottom
    assert ink.any(axis=0).all()  # every column is drawn

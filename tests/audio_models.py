"""Audio test material, synthesized (nothing to download): four classes of tones, a small 1-D
convolutional classifier trained on them inside the test run, its ONNX export (input (N, 1, T)),
and the held-out split as a tensor set: a ZIP with ``waves.npy`` (N, 1, T) float32 and
``manifest.csv`` (file, index, label, loudness).

A tone of class k is a sine at FUNDAMENTALS[k] Hz with its 2nd and 3rd harmonics at random
relative amplitudes, a random phase per partial, a random peak amplitude (0.2..0.9) and a
little white noise (40 dB SNR), RATE samples a second for LENGTH samples (a 1 s tone at 8 kHz
cut and downsampled so the network trains in seconds). Seeded: the same set and weights each run.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from tests.tensor_models import export_onnx, train_classifier, write_member

RATE = 4_000  # Hz
LENGTH = 256  # samples, 64 ms
FUNDAMENTALS = (200.0, 240.0, 290.0, 350.0)  # Hz; close enough for noise to confuse them
CLASSES = ("low", "mid", "high", "top")
TRAIN_ROWS, TEST_ROWS = 400, 200
EPOCHS = 8


@dataclass(frozen=True)
class ToneCNN:
    """The trained network (torch, eval mode), its ONNX bytes (class names in its metadata),
    and the held-out split: ``x_test`` (N, 1, LENGTH) float32, ``y_test`` (N,) class indices,
    ``peak_test`` each tone's amplitude."""

    module: object
    onnx_bytes: bytes
    x_test: np.ndarray
    y_test: np.ndarray
    peak_test: np.ndarray


def tones(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``rows`` tones (rows, 1, LENGTH) float32, their classes and peak amplitudes."""
    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH) / RATE
    labels = rng.integers(0, len(FUNDAMENTALS), rows)
    peaks = rng.uniform(0.2, 0.9, rows)
    waves = np.zeros((rows, LENGTH))
    for i, (label, peak) in enumerate(zip(labels, peaks, strict=True)):
        weights = np.array([1.0, *rng.uniform(0.1, 0.6, 2)])
        phases = rng.uniform(0, 2 * np.pi, 3)
        partials = [
            w * np.sin(2 * np.pi * FUNDAMENTALS[label] * (h + 1) * t + p)
            for h, (w, p) in enumerate(zip(weights, phases, strict=True))
        ]
        wave = np.sum(partials, axis=0)
        wave = wave / np.abs(wave).max() * peak
        waves[i] = wave + rng.normal(0, np.sqrt(np.mean(wave**2) / 1e4), LENGTH)
    return waves[:, None].astype(np.float32), labels.astype(np.int64), peaks


def _network():
    import torch

    return torch.nn.Sequential(
        torch.nn.Conv1d(1, 8, 9, stride=2, padding=4),
        torch.nn.ReLU(),
        torch.nn.MaxPool1d(4),
        torch.nn.Conv1d(8, 16, 9, padding=4),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool1d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(16, len(FUNDAMENTALS)),
    )


def with_classes(onnx_bytes: bytes, classes) -> bytes:
    """The graph with its class names in the ONNX metadata ("classes", a JSON list)."""
    import onnx

    proto = onnx.load_from_string(onnx_bytes)
    entry = proto.metadata_props.add()
    entry.key, entry.value = "classes", json.dumps(list(classes))
    return proto.SerializeToString()


@cache
def tone_cnn() -> ToneCNN:
    """The tone classifier, trained once per test process (seeded Adam, CPU, one thread)."""
    import torch

    x_train, y_train, _ = tones(TRAIN_ROWS, seed=1)
    x_test, y_test, peak_test = tones(TEST_ROWS, seed=2)
    x = torch.from_numpy(x_train)
    module = train_classifier(_network, x, torch.from_numpy(y_train), epochs=EPOCHS, batch=50)
    onnx_bytes = with_classes(export_onnx(module, x[:1]), CLASSES)
    return ToneCNN(module, onnx_bytes, x_test, y_test, peak_test)


def loudness(peak: float) -> str:
    """A metadata column usable as a slice: "quiet" below a peak of 0.45, else "loud"."""
    return "quiet" if peak < 0.45 else "loud"


def write_tones_zip(path: Path, waves: np.ndarray, labels: np.ndarray, peaks: np.ndarray) -> Path:
    """``waves`` as ``waves.npy`` in a ZIP at ``path`` with ``manifest.csv`` (file, index, label
    as a class name, loudness); the same bytes on every write. Returns ``path``."""
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["file", "index", "label", "loudness"])
    for i, (label, peak) in enumerate(zip(labels, peaks, strict=True)):
        writer.writerow(["waves.npy", i, CLASSES[label], loudness(peak)])
    array = io.BytesIO()
    np.save(array, waves, allow_pickle=False)
    with zipfile.ZipFile(path, "w") as archive:
        write_member(archive, "waves.npy", array.getvalue())
        write_member(archive, "manifest.csv", manifest.getvalue().encode())
    return path


def tones_test_zip(directory: Path) -> Path:
    """The tone classifier's held-out split as ``tones.zip`` in ``directory``."""
    cnn = tone_cnn()
    return write_tones_zip(directory / "tones.zip", cnn.x_test, cnn.y_test, cnn.peak_test)


def tones_onnx(directory: Path) -> Path:
    """The tone classifier as ``tone_cnn.onnx`` in ``directory``."""
    path = directory / "tone_cnn.onnx"
    path.write_bytes(tone_cnn().onnx_bytes)
    return path

"""Deep-net test material from data nobody here made up: scikit-learn's bundled digits (1,797
8x8 images of handwritten digits, no download), a small CNN trained on them inside the test run,
its ONNX export, and the held-out split as a ZIP of 8-bit PNGs with ``manifest.csv``.

The pixels are quantised to 8 bits first (digits' 0..16 levels -> round(v * 255 / 16)) and the
network is trained on those bytes / 255, so a PNG round trip gives it exactly what it learnt on.
Training is seeded and single-threaded: the same weights on every run (a few seconds on a CPU).
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

TRAIN_ROWS = 1_400  # the first 1,400 digits train the network; the other 397 are the test split
EPOCHS = 12


@dataclass(frozen=True)
class DigitsCNN:
    """The trained network (a torch module in eval mode), its ONNX bytes, and the held-out split:
    ``x_test`` (N, 1, 8, 8) float32 in [0, 1], ``y_test`` (N,) int, ``pixels_test`` (N, 8, 8)
    uint8 (the PNGs' bytes)."""

    module: object
    onnx_bytes: bytes
    x_test: np.ndarray
    y_test: np.ndarray
    pixels_test: np.ndarray


def digits_pixels() -> tuple[np.ndarray, np.ndarray]:
    """Every digit as 8-bit pixels (1797, 8, 8) uint8, and its label."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = np.rint(digits.images * 255 / 16).astype(np.uint8)
    return pixels, digits.target.astype(np.int64)


def _network():
    import torch

    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(16 * 4 * 4, 10),
    )


def export_onnx(module, example) -> bytes:
    """``module`` exported to ONNX (the TorchScript exporter: no onnxscript needed), with a
    dynamic batch dimension; input "x", output "logits"."""
    import torch

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter announces its deprecation
        torch.onnx.export(
            module,
            (example,),
            buffer,
            dynamo=False,
            input_names=["x"],
            output_names=["logits"],
            dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}},
        )
    return buffer.getvalue()


def train_classifier(network, x, y, *, epochs: int, batch: int):
    """A fresh ``network()`` trained on (x, y) with cross-entropy: seeded Adam (lr 0.01) over
    shuffled mini-batches, one thread, so every run gives the same weights; in eval mode."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        module = network()
        optimiser = torch.optim.Adam(module.parameters(), lr=0.01)
        generator = torch.Generator().manual_seed(0)
        for _ in range(epochs):
            for rows in torch.randperm(len(x), generator=generator).split(batch):
                optimiser.zero_grad()
                loss = torch.nn.functional.cross_entropy(module(x[rows]), y[rows])
                loss.backward()
                optimiser.step()
    finally:
        torch.set_num_threads(threads)
    return module.eval()


@cache
def digits_cnn() -> DigitsCNN:
    """The digits CNN, trained once per test process (seeded Adam, full-batch, CPU)."""
    import torch

    pixels, labels = digits_pixels()
    x = torch.from_numpy(pixels[:, None].astype(np.float32) / 255)
    module = train_classifier(_network, x[:TRAIN_ROWS], torch.from_numpy(labels[:TRAIN_ROWS]),
                              epochs=EPOCHS, batch=100)  # fmt: skip
    onnx_bytes = export_onnx(module, x[:1])
    return DigitsCNN(
        module=module,
        onnx_bytes=onnx_bytes,
        x_test=x[TRAIN_ROWS:].numpy(),
        y_test=labels[TRAIN_ROWS:],
        pixels_test=pixels[TRAIN_ROWS:],
    )


def png_bytes(pixels: np.ndarray) -> bytes:
    """One grayscale image as PNG bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def ink_band(pixels: np.ndarray) -> str:
    """A metadata column read off the image itself: how much of it is ink ("light" below 28%
    of pixels past mid-grey, "heavy" from 36%, else "medium"), usable as a slice."""
    share = float((pixels > 127).mean())
    return "light" if share < 0.28 else "heavy" if share >= 0.36 else "medium"


def write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """``data`` as member ``name``, deflated, dated 1980-01-01 (ZIP's epoch) rather than now:
    two writes of the same set give the same bytes, so the same dataset sha256."""
    member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    member.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(member, data)


def write_digits_zip(path: Path, pixels: np.ndarray, labels: np.ndarray) -> Path:
    """``pixels`` as PNGs under ``images/`` in a ZIP at ``path``, with ``manifest.csv`` at its
    root: file, label, ink (a metadata column); the same bytes on every write. Returns
    ``path``."""
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["file", "label", "ink"])
    with zipfile.ZipFile(path, "w") as archive:
        for i, (image, label) in enumerate(zip(pixels, labels, strict=True)):
            name = f"images/{i:04d}.png"
            write_member(archive, name, png_bytes(image))
            writer.writerow([name, int(label), ink_band(image)])
        write_member(archive, "manifest.csv", manifest.getvalue().encode())
    return path


def digits_test_zip(directory: Path) -> Path:
    """The digits CNN's held-out split as ``digits.zip`` in ``directory``."""
    cnn = digits_cnn()
    return write_digits_zip(directory / "digits.zip", cnn.pixels_test, cnn.y_test)


def digits_onnx(directory: Path) -> Path:
    """The digits CNN as ``digits_cnn.onnx`` in ``directory``."""
    path = directory / "digits_cnn.onnx"
    path.write_bytes(digits_cnn().onnx_bytes)
    return path

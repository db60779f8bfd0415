"""Deep-net benchmark (issue #15): the battery on the digits CNN and its ZIP of PNGs.

    .venv/bin/python bench/tensor_bench.py [--copies 10] [--repeat 3]

Trains the digits CNN of tests/tensor_models.py (scikit-learn's bundled digits, seeded, CPU) and
exports it to ONNX, then, on one process:

- scoring: every digit, repeated --copies times, as a ZIP of PNGs; the battery's scoring path
  (each planned chunk of manifest rows read, its PNGs decoded from the archive, preprocessed and
  run through onnxruntime by ``Chunk.scored``) against a plain loop (the same PNGs decoded with
  Pillow, / 255, one ``session.run`` per 256 images as TensorModel batches, one thread as the
  battery's sessions): rows/s, median of --repeat; target within 1.3x of the plain loop;
- one whole battery run on the held-out split (397 digits) with a worker's default options: the
  wall time of each check (between the progress callback's check events; the first also holds
  preparing the run and the chunk step) and its figures: accuracy, the range of per-class F1,
  robust accuracy per ε of FGSM / PGD under L∞ and L2, accuracy at each corruption severity
  (mean over the corruptions) and the black-box (HopSkipJump) success rate.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.battery import prepare, run  # noqa: E402
from bench.scoring_bench import scoring, timed  # noqa: E402
from tests.tensor_models import (  # noqa: E402
    digits_cnn,
    digits_onnx,
    digits_pixels,
    digits_test_zip,
    write_digits_zip,
)

BATCH = 256  # TensorModel's rows per session run
MAPPING = {"label": "label", "slices": ["ink"]}


def plain(data: Path, model: Path) -> None:
    """Pillow and onnxruntime alone: each batch of the manifest's PNGs decoded, / 255, run."""
    import onnxruntime
    from PIL import Image

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model.read_bytes(), options, ["CPUExecutionProvider"])
    with zipfile.ZipFile(data) as archive:
        names = [row["file"] for row in csv.DictReader(io.StringIO(
            archive.read("manifest.csv").decode()))]  # fmt: skip
        for start in range(0, len(names), BATCH):
            images = [
                np.asarray(Image.open(io.BytesIO(archive.read(name))))
                for name in names[start : start + BATCH]
            ]
            x = np.stack(images)[:, None].astype(np.float32) / 255
            session.run(None, {"x": x})


def battery_run(data: Path, model: Path) -> tuple[dict, dict[str, float]]:
    """One whole run and the wall time of each check (progress events' spacing)."""
    marks: list[tuple[float, dict]] = [(time.perf_counter(), {})]
    doc = run(data, MAPPING, model=model, tier=1,
              progress=lambda event: marks.append((time.perf_counter(), event)))  # fmt: skip
    times, last = {}, marks[0][0]
    for moment, event in marks[1:]:
        if event["stage"] == "check":
            times[event["id"]] = moment - last
            last = moment
    return doc, times


def figures(doc: dict) -> list[tuple[str, str]]:
    """The deep-net figures of a result document, as (figure, value) rows."""
    checks = {c["id"]: c for c in doc["checks"]}
    f1 = [c["f1"] for c in checks["performance"]["details"]["per_class"].values()]
    rows = [
        ("accuracy", f"{checks['performance']['metrics']['accuracy']:.3f}"),
        ("per-class F1, min - max", f"{min(f1):.3f} - {max(f1):.3f}"),
    ]
    adversarial = checks["adversarial"]
    for name, curve in adversarial["details"]["series"].items():
        points = (f"{_epsilon(p['epsilon'], 'L∞' in name)}: {p['accuracy']:.2f}" for p in curve)
        rows.append((f"{name} accuracy per ε", ", ".join(points)))
    series = checks["corruption"]["details"]["series"]
    severities = zip(*([p["accuracy"] for p in curve] for curve in series.values()), strict=True)
    rows.append((f"corruption accuracy per severity 0-5 (mean of {len(series)})",
                 ", ".join(f"{statistics.mean(s):.3f}" for s in severities)))  # fmt: skip
    hop = adversarial["details"]["hop_skip_jump"]
    rate = adversarial["metrics"]["black_box_success_rate"]
    rows.append(("black-box (HopSkipJump) success rate", f"{rate:.2f} of {hop['attacked_rows']} "
                 f"rows, median L∞ perturbation {hop['median_min_perturbation']:.3f}"))  # fmt: skip
    return rows


def _epsilon(value: float, linf: bool) -> str:
    return f"{round(value * 255)}/255" if linf else f"{value:g}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    digits_cnn()
    print(f"digits CNN trained and exported in {time.perf_counter() - start:.1f} s; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        model = digits_onnx(folder)
        pixels, labels = digits_pixels()
        many = write_digits_zip(folder / "many.zip", np.tile(pixels, (args.copies, 1, 1)),
                                np.tile(labels, args.copies))  # fmt: skip
        rows = len(labels) * args.copies
        spec = prepare(many, MAPPING, model=model, data_sha256="0" * 64)
        base = timed(lambda: plain(many, model), args.repeat)
        scored = timed(lambda: scoring(spec), args.repeat)
        print(f"scoring {rows:,} PNGs, median of {args.repeat}: plain Pillow + onnxruntime "
              f"{rows / base:,.0f} rows/s ({base:.2f} s); battery {rows / scored:,.0f} rows/s "
              f"({scored:.2f} s); {scored / base:.2f}x (target <= 1.3x)")  # fmt: skip
        doc, times = battery_run(digits_test_zip(folder), model)
    print(f"\nwhole battery on {doc['dataset']['rows']} digits: {sum(times.values()):.1f} s; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print("| check | status | wall time |\n| --- | --- | --- |")
    statuses = {c["id"]: c["status"] for c in doc["checks"]}
    for cid, seconds in times.items():
        print(f"| {cid} | {statuses[cid]} | {seconds:.2f} s |")
    print("\n| figure | value |\n| --- | --- |")
    for figure, value in figures(doc):
        print(f"| {figure} | {value} |")


if __name__ == "__main__":
    main()

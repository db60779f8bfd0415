"""CBPE benchmark (issue #18): seconds to estimate one batch's accuracy and ROC AUC without labels.

    .venv/bin/python bench/cbpe_bench.py [--rows 100000] [--repeat 5]

Fits CBPE on a 50,000-row seeded reference whose scores need isotonic calibration (squared
probabilities), then times ``cbpe_estimate`` on --rows and 10x --rows batch scores, median of
--repeat, against the baseline of one ``np.argsort`` of the same scores (the ranking it needs).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.battery.cbpe import cbpe_estimate, cbpe_fit
from bench.timing import timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    truth = rng.random(50_000)
    labels = (rng.random(50_000) < truth).astype(int)
    start = time.perf_counter()
    calibration = cbpe_fit(truth**2, labels)
    print(f"fit on 50,000 reference rows: {time.perf_counter() - start:.3f} s "
          f"(calibrated: {calibration.calibrated}, {len(calibration.knots_x)} knots)")  # fmt: skip
    for rows in (args.rows, 10 * args.rows):
        scores = rng.random(rows) ** 2
        estimate = timed(lambda s=scores: cbpe_estimate(calibration, s), args.repeat)
        floor = timed(lambda s=scores: np.argsort(s), args.repeat)
        print(f"estimate {rows:,} rows: {estimate * 1000:.1f} ms "
              f"({estimate / rows * 1e5 * 1000:.1f} ms per 100k rows); np.argsort floor "
              f"{floor * 1000:.1f} ms; estimate / floor {estimate / floor:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()

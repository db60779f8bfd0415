"""Benchmark of the audit battery (issue #3): speed against the library calls it replaces and
against the floor of reading the data, and peak memory.

    .venv/bin/python bench/battery_bench.py                      # 1M rows + 1M reference rows
    .venv/bin/python bench/battery_bench.py --rows 10000000 --memory-only

Synthetic data (seeded): 20 numeric and 3 categorical features, sensitive attributes with 2 and
5 values, a binary label, a score and a prediction, written to Parquet in a temp dir. Each
measurement runs in its own child process, which reports its wall time (after imports) and its
peak RSS (``VmHWM`` from /proc, see ``peak_rss_mib``):
  battery  ``audits.battery.run`` from the two Parquet files to the result document;
  (a)      the equivalent pandas + scikit-learn + fairlearn + SciPy calls on the loaded frames;
  (b)      the floor: read the same columns with pyarrow and touch every value once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
NUMERIC = [f"num_{i:02d}" for i in range(20)]
CATEGORICAL = ["cat_a", "cat_b", "cat_c"]
SENSITIVE = ["sex", "race"]
TARGETS = ["label", "score", "prediction"]
COLUMNS = TARGETS + SENSITIVE + NUMERIC + CATEGORICAL
MAPPING = {"label": "label", "prediction": "prediction", "score": "score", "sensitive": SENSITIVE,
           "slices": ["cat_a"], "features": NUMERIC + CATEGORICAL}  # fmt: skip
BLOCK = 1_000_000
ROW_GROUP = 131_072


def generate(path: Path, rows: int, seed: int, shift: float) -> None:
    """Write ``rows`` synthetic rows in blocks (flat memory for any row count)."""
    rng = np.random.default_rng(seed)
    writer = None
    for start in range(0, rows, BLOCK):
        n = min(BLOCK, rows - start)
        cols = {}
        sex = rng.integers(0, 2, n)
        race = rng.choice(5, size=n, p=[0.4, 0.25, 0.15, 0.12, 0.08])
        x = rng.normal(0, 1, (n, len(NUMERIC)))
        x[:, :5] += shift
        logit = x[:, 0] - 0.5 * x[:, 1] + 0.3 * sex - 0.1 * race
        label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
        score = 1 / (1 + np.exp(-(logit + rng.normal(0, 1, n))))
        cols["label"] = label
        cols["score"] = score
        cols["prediction"] = (score >= 0.5).astype(np.int64)
        cols["sex"] = np.array(["female", "male"])[sex]
        cols["race"] = np.array(["r1", "r2", "r3", "r4", "r5"])[race]
        for i, name in enumerate(NUMERIC):
            cols[name] = (
                np.round(x[:, i] * (1 + i), 0) if i % 5 == 4 else x[:, i] * (1 + i) + 10 * i
            )
        for name, levels in zip(CATEGORICAL, (5, 12, 40), strict=True):
            p = np.linspace(1, 2 + shift, levels)
            cols[name] = np.array([f"{name}_{j}" for j in range(levels)])[
                rng.choice(levels, size=n, p=p / p.sum())
            ]
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=ROW_GROUP)
    writer.close()


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM): unlike getrusage's ru_maxrss, which Linux carries over
    from the forked parent across exec, it counts only this program."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_battery(data: str, reference: str, workers: int = 1) -> dict:
    from audits.battery import run

    t = time.perf_counter()
    doc = run(data, MAPPING, reference=reference, tier=2, workers=workers)
    seconds = time.perf_counter() - t
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "status": doc["status"], "worker_peak_rss_mib": worker_rss}


def child_battery2(data: str, reference: str) -> dict:
    return child_battery(data, reference, workers=2)


def child_floor(data: str, reference: str) -> dict:
    import pyarrow.compute as pc

    t = time.perf_counter()
    nbytes = 0
    for path in (data, reference):
        table = pq.read_table(path, columns=COLUMNS)
        nbytes += table.nbytes
        for name in table.column_names:
            col = table.column(name)
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                pc.sum(pc.utf8_length(col))
            else:
                pc.sum(col)
        del table
    return {"seconds": time.perf_counter() - t, "loaded_bytes": nbytes}


def child_libraries(data: str, reference: str) -> dict:
    import warnings

    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_difference,
        demographic_parity_ratio,
        equalized_odds_difference,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_positive_rate,  # fmt: skip
    )
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance
    from sklearn import metrics as skm
    from sklearn.calibration import calibration_curve

    warnings.simplefilter("ignore")
    t = time.perf_counter()
    df, ref = pd.read_parquet(data, columns=COLUMNS), pd.read_parquet(reference, columns=COLUMNS)
    y, p, s = df["label"], df["prediction"], df["score"]
    df.isna().sum(), df.duplicated().sum(), df.nunique(), y.value_counts()  # data_quality
    skm.accuracy_score(y, p), skm.balanced_accuracy_score(y, p), skm.confusion_matrix(y, p)
    skm.precision_recall_fscore_support(y, p)
    for avg in ("macro", "weighted"):
        skm.precision_recall_fscore_support(y, p, average=avg)
    skm.roc_auc_score(y, s), skm.average_precision_score(y, s), skm.log_loss(y, s)
    slices = {
        "accuracy": skm.accuracy_score,
        "f1": lambda a, b: skm.f1_score(a, b, average="macro"),
    }
    _ = MetricFrame(metrics=slices, y_true=y, y_pred=p, sensitive_features=df["cat_a"]).by_group
    group_metrics = {"selection_rate": selection_rate, "tpr": true_positive_rate,
                     "fpr": false_positive_rate, "fnr": false_negative_rate,
                     "precision": skm.precision_score, "accuracy": skm.accuracy_score}  # fmt: skip
    for sf in (df["sex"], df["race"], df[SENSITIVE]):
        _ = MetricFrame(metrics=group_metrics, y_true=y, y_pred=p, sensitive_features=sf).by_group
        demographic_parity_difference(y, p, sensitive_features=sf)
        demographic_parity_ratio(y, p, sensitive_features=sf)
        equalized_odds_difference(y, p, sensitive_features=sf)
    calibration_curve(y, s, n_bins=10), skm.brier_score_loss(y, s)
    for name in SENSITIVE:
        for _, part in df.groupby(name):
            calibration_curve(part["label"], part["score"], n_bins=10)
    for name in [*NUMERIC, "score"]:
        a, b = ref[name].to_numpy(), df[name].to_numpy()
        ks_2samp(a, b), wasserstein_distance(a, b)
        edges = np.unique(np.quantile(a, np.linspace(0.1, 0.9, 9)))
        r = np.bincount(np.searchsorted(edges, a), minlength=len(edges) + 1) / len(a)
        c = np.bincount(np.searchsorted(edges, b), minlength=len(edges) + 1) / len(b)
        np.sum((c - r) * np.log(np.maximum(c, 1e-4) / np.maximum(r, 1e-4)))
    for name in [*CATEGORICAL, "prediction"]:
        table = pd.crosstab(np.r_[np.zeros(len(ref)), np.ones(len(df))],
                            pd.concat([ref[name], df[name]]).to_numpy())  # fmt: skip
        chi2_contingency(table.to_numpy())
        jensenshannon(table.iloc[0] / len(ref), table.iloc[1] / len(df), base=2)
    return {"seconds": time.perf_counter() - t}


def child_baseline(data: str, reference: str) -> dict:
    import audits.battery  # noqa: F401  (what every child imports before it starts the clock)

    return {"seconds": 0.0}


CHILDREN = {
    "battery": child_battery,
    "battery2": child_battery2,
    "floor": child_floor,
    "libraries": child_libraries,
    "baseline": child_baseline,
}


def measure_once(kind: str, data: Path, reference: Path) -> dict:
    """Run one measurement in a fresh interpreter; its result and peak RSS in MiB."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(data), str(reference)],
                         check=True, capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(kinds: list[str], data: Path, reference: Path, repeats: int) -> dict[str, dict]:
    """Each kind ``repeats`` times, interleaved so that load from elsewhere on the machine falls
    on all alike; per kind the run with the median time (peak RSS: the largest seen)."""
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for _ in range(repeats):
        for kind in kinds:
            runs[kind].append(measure_once(kind, data, reference))
    out = {}
    for kind, results in runs.items():
        results.sort(key=lambda r: r["seconds"])
        median = dict(results[len(results) // 2])
        median["peak_rss_mib"] = max(r["peak_rss_mib"] for r in results)
        median["all_seconds"] = [round(r["seconds"], 2) for r in results]
        out[kind] = median
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int)
    parser.add_argument(
        "--memory-only", action="store_true", help="battery only, on rows/10 then rows rows"
    )
    parser.add_argument("--skip-libraries", action="store_true", help="leave out baseline (a)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each fast measurement")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        result = CHILDREN[args.child[0]](args.child[1], args.child[2])
        result["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="battery-bench-") as tmp:
        sizes = [args.rows // 10, args.rows] if args.memory_only else [args.rows]
        for rows in sizes:
            ref_rows = args.reference_rows or rows
            data, ref = Path(tmp) / f"data-{rows}.parquet", Path(tmp) / f"ref-{rows}.parquet"
            t = time.perf_counter()
            generate(data, rows, seed=1, shift=0.0)
            generate(ref, ref_rows, seed=2, shift=0.05)
            mib = (data.stat().st_size + ref.stat().st_size) / 2**20
            print(
                f"data: {rows:,} rows + reference {ref_rows:,} rows, {len(COLUMNS)} columns, "
                f"{mib:.0f} MiB of Parquet (generated in {time.perf_counter() - t:.1f} s)"
            )
            report(args, data, ref)


def report(args, data: Path, ref: Path) -> None:
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    base = measure_once("baseline", data, ref)["peak_rss_mib"]
    print(f"interpreter with the battery imported: peak RSS {base:.0f} MiB")
    kinds = ["battery"] if args.memory_only else ["battery", "battery2", "floor"]
    measured = measure(kinds, data, ref, 1 if args.memory_only else args.repeats)
    battery = measured["battery"]
    extra = battery["peak_rss_mib"] - base
    print(
        f"battery      {battery['seconds']:8.2f} s   "
        f"peak RSS {battery['peak_rss_mib']:6.0f} MiB "
        f"(+{extra:.0f} over the imports)   runs {battery['all_seconds']}   "
        f"status {battery['status']}"
    )
    if args.memory_only:
        return
    two = measured["battery2"]
    print(
        f"battery -j2  {two['seconds']:8.2f} s   peak RSS {two['peak_rss_mib']:6.0f} MiB, "
        f"largest worker {two['worker_peak_rss_mib']:.0f} MiB   runs {two['all_seconds']}"
    )
    floor = measured["floor"]
    loaded = floor["loaded_bytes"] / 2**20
    print(
        f"(b) floor    {floor['seconds']:8.2f} s   peak RSS {floor['peak_rss_mib']:6.0f} MiB   "
        f"runs {floor['all_seconds']}   (loaded columns {loaded:.0f} MiB)"
    )
    for name, run in (("battery", battery), ("battery -j2", two)):
        ratio = run["seconds"] / floor["seconds"]
        print(f"{name} / floor = {ratio:.2f}x (target <= 4x: {'met' if ratio <= 4 else 'MISSED'})")
    ratio_m = battery["peak_rss_mib"] / loaded
    print(
        f"battery peak RSS / loaded columns = {ratio_m:.2f} "
        f"(target < 2: {'met' if ratio_m < 2 else 'MISSED'}); "
        f"above the imports: {extra / loaded:.2f}"
    )
    if not args.skip_libraries:
        libs = measure_once("libraries", data, ref)
        print(
            f"(a) libraries{libs['seconds']:8.2f} s   "
            f"peak RSS {libs['peak_rss_mib']:6.0f} MiB   (one run)"
        )
        for name, run in (("battery", battery), ("battery -j2", two)):
            speedup = libs["seconds"] / run["seconds"]
            print(
                f"libraries / {name} = {speedup:.1f}x (target >= 100x: "
                f"{'met' if speedup >= 100 else 'MISSED'})"
            )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()

"""Benchmark of the upload intake (issue #21): `audits.intake.intake` (validate, scan for
formulas, write the Parquet copy) against the floor of reading the same file once with pyarrow.

    .venv/bin/python bench/intake_bench.py                        # 1M and 5M rows, Parquet and CSV
    .venv/bin/python bench/intake_bench.py --rows 1000000 --repeats 1

The data is battery_bench's synthetic set (28 columns, 5 of them text). Each measurement runs in
its own child process and reports its wall time (after imports) and peak RSS (VmHWM):
  intake  the upload path from the stored original to the Parquet copy audits read;
  floor   ``pyarrow.parquet.read_table`` / ``pyarrow.csv.read_csv`` of the same file, every column.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.battery_bench import MAPPING, generate, peak_rss_mib  # noqa: E402

TARGET = 2.0


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()


def child_intake(path: str) -> dict:
    _django()
    from audits.intake import IntakeLimits, intake

    limits = IntakeLimits(
        expanded_bytes=1 << 40, columns=1000, cell_chars=10_000, archive={}, transcript_bytes=0
    )
    out = Path(path).with_name("copy.parquet")
    t = time.perf_counter()
    accepted = intake(Path(path), MAPPING, out, limits=limits, row_group_rows=65_536)
    seconds = time.perf_counter() - t
    out.unlink()
    return {"seconds": seconds, "rows": accepted.rows}


def child_floor(path: str) -> dict:
    t = time.perf_counter()
    table = pa_csv.read_csv(path) if path.endswith(".csv") else pq.read_table(path)
    return {"seconds": time.perf_counter() - t, "rows": table.num_rows}


def child_baseline(path: str) -> dict:
    _django()
    import audits.intake  # noqa: F401  (what the intake child imports before its clock starts)

    return {"seconds": 0.0, "rows": 0}


CHILDREN = {"intake": child_intake, "floor": child_floor, "baseline": child_baseline}


def measure_once(kind: str, path: Path) -> dict:
    """One measurement in a fresh interpreter: its result and peak RSS in MiB."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                         check=True, capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(path: Path, repeats: int) -> dict[str, dict]:
    """Intake and floor ``repeats`` times, interleaved; per kind the median run."""
    runs: dict[str, list[dict]] = {"intake": [], "floor": []}
    for _ in range(repeats):
        for kind, results in runs.items():
            results.append(measure_once(kind, path))
    out = {}
    for kind, results in runs.items():
        results.sort(key=lambda r: r["seconds"])
        median = dict(results[len(results) // 2])
        median["peak_rss_mib"] = max(r["peak_rss_mib"] for r in results)
        median["all_seconds"] = [round(r["seconds"], 2) for r in results]
        out[kind] = median
    return out


def write_csv(parquet: Path, csv: Path) -> None:
    """The same rows as CSV, written batch by batch."""
    source = pq.ParquetFile(parquet)
    with pa_csv.CSVWriter(csv, source.schema_arrow) as writer:
        for batch in source.iter_batches(batch_size=262_144):
            writer.write_batch(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = CHILDREN[args.child[0]](args.child[1])
        result["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as tmp:
        for rows in args.rows:
            parquet = Path(tmp) / f"data-{rows}.parquet"
            generate(parquet, rows, seed=1, shift=0.0)
            files = {"parquet": parquet}
            if "csv" in args.formats:
                files["csv"] = Path(tmp) / f"data-{rows}.csv"
                write_csv(parquet, files["csv"])
            base = measure_once("baseline", parquet)["peak_rss_mib"]
            for fmt in args.formats:
                path = files[fmt]
                measured = measure(path, args.repeats)
                intake, floor = measured["intake"], measured["floor"]
                ratio = intake["seconds"] / floor["seconds"]
                mib = path.stat().st_size / 2**20
                print(
                    f"{fmt:7s} {rows:>10,} rows ({mib:5.0f} MiB)  "
                    f"intake {intake['seconds']:6.2f} s {intake['all_seconds']}  "
                    f"floor {floor['seconds']:6.2f} s "
                    f"{floor['all_seconds']}  intake / floor = {ratio:.2f}x "
                    f"(target <= {TARGET:g}x: {'met' if ratio <= TARGET else 'MISSED'})  "
                    f"peak RSS intake {intake['peak_rss_mib']:.0f} MiB "
                    f"(+{intake['peak_rss_mib'] - base:.0f} over the imports), "
                    f"floor {floor['peak_rss_mib']:.0f} MiB"
                )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()

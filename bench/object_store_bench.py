"""Benchmark of reading an evaluation set from object storage (issue #20): one audit chunk read
through the battery's Location (pyarrow's S3 filesystem, ranged GETs of the footer and the
chunk's row groups) against the baseline of downloading the whole object first, and against
the same chunk read from local disk.

    .venv/bin/python bench/object_store_bench.py                 # 2,000,000 rows, 8 columns
    .venv/bin/python bench/object_store_bench.py --rows 500000

The S3 server is moto's (the dev requirements), on loopback in a thread of this process, so
the numbers measure bytes moved and the client's work, not a network; the bytes are exact.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import boto3
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.battery import io as battery_io  # noqa: E402
from audits.battery.location import ObjectStore, object_store_use  # noqa: E402
from tests.object_store import ACCESS_KEY, REGION, SECRET_KEY, serve  # noqa: E402

ROW_GROUP = 131_072


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    table = pa.table({f"x{i}": rng.normal(size=args.rows) for i in range(8)})
    with tempfile.TemporaryDirectory() as folder, serve() as (endpoint, sent):
        local = Path(folder) / "set.parquet"
        pq.write_table(table, local, row_group_size=ROW_GROUP)
        size = local.stat().st_size
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        client.create_bucket(Bucket="bench")
        client.upload_file(str(local), "bench", "set.parquet")
        object_store_use(lambda: ObjectStore(endpoint, REGION, ACCESS_KEY, SECRET_KEY))
        columns = ["x0", "x1", "x2"]

        def chunk_of(data: str) -> tuple[float, int]:
            before, start = sent.total, time.perf_counter()
            source = battery_io.open_source(data)
            chunks = battery_io.plan_chunks(source, ROW_GROUP)
            battery_io.read_chunk(source, columns, *chunks[len(chunks) // 2])
            return time.perf_counter() - start, sent.total - before

        ranged_s, ranged_bytes = chunk_of("s3://bench/set.parquet")
        before, start = sent.total, time.perf_counter()
        copy = Path(folder) / "downloaded.parquet"
        client.download_file("bench", "set.parquet", str(copy))
        chunk_of(str(copy))
        whole_s, whole_bytes = time.perf_counter() - start, sent.total - before
        local_s, _ = chunk_of(str(local))
    print(f"set: {args.rows:,} rows x 8 float columns, {size / 2**20:.1f} MiB, "
          f"row groups of {ROW_GROUP:,}; one chunk of 3 columns read")  # fmt: skip
    print(f"ranged (Location, s3://)  {ranged_s:6.3f} s  {ranged_bytes / 2**20:7.2f} MiB fetched")
    print(f"baseline: download, read  {whole_s:6.3f} s  {whole_bytes / 2**20:7.2f} MiB fetched")
    print(f"local disk                {local_s:6.3f} s")
    print(f"bytes fetched: ranged / whole download = {ranged_bytes / whole_bytes:.3f}; "
          f"time: ranged / download = {ranged_s / whole_s:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Scoring benchmark (issue #15): the battery scoring every row with the model artifact.

    .venv/bin/python bench/scoring_bench.py [--rows 1000000] [--repeat 3] [--memory-rows 3000000]

Trains an ONNX logistic regression and a 100-tree random forest (depth 8; skl2onnx, no ZipMap)
on the first 20,000 rows of UCI Adult (../shared/datasets/adult.data), draws --rows rows from
the whole file with replacement (seeded) into a Parquet file of 262,144-row row groups (the
battery's chunks), and times, on one process (a worker), median of --repeat:

- plain: onnxruntime alone over the same file, row group by row group (read the five feature
  columns, to float32, ``session.run``), one intra-op thread as the battery's sessions use;
- scoring: the battery's chunk step producing the outputs (read the chunk, ``Chunk.scored``);
  target within 1.3x of plain;
- audit: the whole chunk step (every data check's statistics) on the artifact's outputs, and the
  same on a copy that carries those outputs as uploaded columns (the difference is the scoring).

Memory: the scoring step runs again in a fresh process on --rows and on --memory-rows rows;
its peak RSS should not grow with the row count.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.battery import io, prepare  # noqa: E402
from audits.battery.accumulation import _columns, iter_statistics, merge_roles  # noqa: E402
from audits.battery.chunk import Chunk  # noqa: E402
from bench.adult import NUMERIC, adult_read  # noqa: E402
from bench.timing import timed  # noqa: E402

ROW_GROUP = 262_144
MAPPING = {"label": "income", "features": NUMERIC, "sensitive": ["sex", "race"],
           "positive_label": ">50K"}  # fmt: skip


def adult() -> pd.DataFrame:
    return adult_read()


def onnx_models(train: pd.DataFrame, folder: Path) -> dict[str, Path]:
    from skl2onnx import to_onnx
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    x = train[NUMERIC].to_numpy(np.float32)
    out = {}
    for name, estimator in (
        ("logistic regression", LogisticRegression(max_iter=2000)),
        ("random forest, 100 trees", RandomForestClassifier(100, max_depth=8, random_state=0)),
    ):
        estimator.fit(x, train["income"])
        proto = to_onnx(estimator, x[:1], options={id(estimator): {"zipmap": False}})
        path = folder / f"{name.split(',')[0].replace(' ', '_')}.onnx"
        path.write_bytes(proto.SerializeToString())
        out[name] = path
    return out


def rows_file(frame: pd.DataFrame, rows: int, path: Path) -> Path:
    picks = np.random.default_rng(0).integers(0, len(frame), rows)
    table = pa.Table.from_pandas(
        frame.iloc[picks][[*NUMERIC, "income", "sex", "race"]], preserve_index=False
    )
    pq.write_table(table, path, row_group_size=ROW_GROUP)
    return path


def plain(data: Path, model: Path) -> None:
    """onnxruntime alone: each row group's features to float32, one session run."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model.read_bytes(), options, ["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    parquet = pq.ParquetFile(data)
    for group in range(parquet.num_row_groups):
        x = parquet.read_row_group(group, columns=NUMERIC).to_pandas().to_numpy(np.float32)
        session.run(None, {name: x})


def scoring(spec) -> None:
    """The battery's chunk step up to its outputs: each planned chunk read and scored."""
    columns, kinds = _columns(spec, "current")
    for frame in io.iter_chunks(spec.source_of("current"), columns, spec.chunks, kinds):
        assert Chunk(frame, spec).scored is not None


def audit(spec) -> None:
    merge_roles(iter_statistics(spec, ["current"]))


def with_outputs(data: Path, model: Path, path: Path) -> Path:
    """A copy of the set carrying the model's prediction and score as columns."""
    from audits.battery.artifacts import open_artifact

    loaded = open_artifact(model, "onnx")
    loaded.bind(NUMERIC, NUMERIC, {})
    frame = pd.read_parquet(data)
    labels, scores = loaded.outputs(frame)
    frame["y_hat"], frame["p"] = labels, np.clip(scores[:, loaded.classes.index(">50K")], 0, 1)
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=ROW_GROUP
    )
    return path


def peak_rss(data: Path, model: Path) -> float:
    """Peak RSS in MiB of a fresh process that prepares the run and scores every chunk (its
    VmHWM: ru_maxrss would carry over the forked parent's size through exec)."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[3]);"
        "from bench.scoring_bench import MAPPING, prepare, scoring;"
        "scoring(prepare(sys.argv[1], MAPPING, model=sys.argv[2], data_sha256='0' * 64));"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(data), str(model), str(ROOT)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1]) / 1024  # kB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-rows", type=int, default=3_000_000)
    args = parser.parse_args()
    frame = adult()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        models = onnx_models(frame.iloc[:20000], folder)
        data = rows_file(frame, args.rows, folder / "rows.parquet")
        big = rows_file(frame, args.memory_rows, folder / "big.parquet")
        print(f"{args.rows:,} rows of UCI Adult, chunks of {ROW_GROUP:,}, median of {args.repeat}")
        for label, model in models.items():
            spec = prepare(data, MAPPING, model=model, data_sha256="0" * 64)
            claimed = with_outputs(data, model, folder / "claimed.parquet")
            claimed_spec = prepare(
                claimed, {**MAPPING, "prediction": "y_hat", "score": "p"}, data_sha256="0" * 64
            )
            base = timed(lambda model=model: plain(data, model), args.repeat)
            scored = timed(lambda spec=spec: scoring(spec), args.repeat)
            whole = timed(lambda spec=spec: audit(spec), args.repeat)
            uploaded = timed(lambda spec=claimed_spec: audit(spec), args.repeat)
            small, large = peak_rss(data, model), peak_rss(big, model)
            print(
                f"{label}: plain onnxruntime {base:.2f} s; battery scoring {scored:.2f} s "
                f"({scored / base:.2f}x, target <= 1.3x); whole chunk step {whole:.2f} s scored "
                f"by the artifact, {uploaded:.2f} s on uploaded outputs; peak RSS "
                f"{small:.0f} MiB ({args.rows:,} rows) / {large:.0f} MiB ({args.memory_rows:,})"
            )


if __name__ == "__main__":
    main()

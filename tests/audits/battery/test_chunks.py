"""The chunk API: statistics computed in other processes, passed as JSON and merged, give the
same document as one streaming run; the same input gives the same bytes; progress is reported."""

from __future__ import annotations

import json
import multiprocessing

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audits.battery import (
    RunSpec,
    chunk_statistics,
    chunks,
    finalize,
    merge_statistics,
    prepare,
    run,
)
from audits.battery.document import verify
from digests import canonical_json

from .conftest import BINARY_MAPPING, binary_frame, multiclass_frame


def worker(args: str) -> str:
    """What a Celery task does: JSON in, JSON out."""
    wire, role, chunk = json.loads(args)
    return json.dumps(chunk_statistics(RunSpec.from_json(wire), role, chunk))


@pytest.fixture(scope="module")
def parquet_pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pq")
    data, ref = folder / "data.parquet", folder / "ref.parquet"
    to_table = pa.Table.from_pandas
    pq.write_table(to_table(binary_frame(5000), preserve_index=False), data, row_group_size=600)
    pq.write_table(to_table(binary_frame(4000, seed=7, shift=0.4), preserve_index=False), ref,
                   row_group_size=900)  # fmt: skip
    return data, ref


def test_a_distributed_run_gives_the_streaming_document(parquet_pair):
    data, ref = parquet_pair
    expected = run(data, BINARY_MAPPING, reference=ref, tier=1, rows_per_chunk=1000)
    spec = prepare(data, BINARY_MAPPING, reference=ref, tier=1, rows_per_chunk=1000)
    wire = json.loads(json.dumps(spec.resolved().to_json()))
    jobs = {
        role: [json.dumps([wire, role, c]) for c in chunks(RunSpec.from_json(wire), role)]
        for role in ("current", "reference")
    }
    assert len(jobs["current"]) > 2 and len(jobs["reference"]) > 2
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        merged = {role: merge_statistics([json.loads(s) for s in pool.map(worker, args)])
                  for role, args in jobs.items()}  # fmt: skip
    doc = finalize(RunSpec.from_json(wire), merged["current"], merged["reference"])
    assert canonical_json(doc) == canonical_json(expected)


def test_a_csv_set_splits_into_row_ranges_the_same_way(tmp_path):
    path = tmp_path / "data.csv"
    binary_frame(2100).to_csv(path, index=False)
    spec = prepare(path, BINARY_MAPPING, rows_per_chunk=500)
    assert chunks(spec) == [[0, 500], [500, 1000], [1000, 1500], [1500, 2000], [2000, 2100]]
    states = [chunk_statistics(spec, "current", c) for c in reversed(chunks(spec))][::-1]
    doc = finalize(spec, merge_statistics(states))
    assert doc["result_sha256"] == run(path, BINARY_MAPPING, rows_per_chunk=500)["result_sha256"]


def test_the_same_input_gives_the_same_bytes(parquet_pair):
    data, ref = parquet_pair
    a = run(data, BINARY_MAPPING, reference=ref)
    b = run(data, BINARY_MAPPING, reference=ref)
    assert canonical_json(a) == canonical_json(b)
    assert verify(a)
    assert a["dataset"]["sha256"] != a["dataset"]["reference_sha256"]


def test_result_sha256_covers_the_canonical_document():
    import hashlib

    doc = run(multiclass_frame(300), {"label": "y", "prediction": "pred"})
    body = {k: v for k, v in doc.items() if k != "result_sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == doc["result_sha256"]
    doc["status"] = "pass" if doc["status"] != "pass" else "fail"
    assert not verify(doc)


def test_progress_is_reported_per_chunk_and_per_check(parquet_pair):
    data, ref = parquet_pair
    events = []
    run(data, BINARY_MAPPING, reference=ref, rows_per_chunk=1200, progress=events.append)
    chunk_events = [e for e in events if e["stage"] == "chunk"]
    check_events = [e for e in events if e["stage"] == "check"]
    assert [e["done"] for e in chunk_events if e["role"] == "current"] == [1, 2, 3, 4, 5]
    assert chunk_events[-1] == {"stage": "chunk", "role": "reference", "done": 5, "total": 5}
    assert [e["id"] for e in check_events] == ["data_quality", "performance", "slices", "fairness",
                                               "calibration", "drift", "consistency",
                                               "robustness", "corruption", "adversarial",
                                               "privacy", "explainability"]  # fmt: skip
    assert check_events[-1]["done"] == check_events[-1]["total"] == 12


def test_forked_workers_give_the_same_bytes(parquet_pair):
    data, ref = parquet_pair
    one = run(data, BINARY_MAPPING, reference=ref, rows_per_chunk=1000)
    two = run(data, BINARY_MAPPING, reference=ref, rows_per_chunk=1000, workers=2)
    assert canonical_json(one) == canonical_json(two)


def test_a_csv_reference_measures_as_its_parquet_copy(tmp_path):
    frame, ref = binary_frame(800), binary_frame(700, seed=3, shift=0.5)
    frame.to_csv(tmp_path / "d.csv", index=False)
    ref.to_csv(tmp_path / "r.csv", index=False)
    pq.write_table(pa.Table.from_pandas(ref, preserve_index=False), tmp_path / "r.parquet")
    a = run(tmp_path / "d.csv", BINARY_MAPPING, reference=tmp_path / "r.csv")
    b = run(tmp_path / "d.csv", BINARY_MAPPING, reference=tmp_path / "r.parquet")
    drift_a, drift_b = (next(c for c in d["checks"] if c["id"] == "drift") for d in (a, b))
    assert drift_a["metrics"] == drift_b["metrics"]
    assert drift_a["details"]["features"] == drift_b["details"]["features"]


def test_a_run_spec_crosses_a_process_boundary_as_json_unchanged(parquet_pair):
    data, ref = parquet_pair
    spec = prepare(data, BINARY_MAPPING, reference=ref, rows_per_chunk=1000).resolved()
    wire = json.loads(json.dumps(spec.to_json()))
    assert RunSpec.from_json(wire) == spec
    assert spec.sha256 and spec.reference and spec.reference.sha256


def test_a_run_spec_built_from_a_dataframe_refuses_to_leave_its_process():
    spec = prepare(binary_frame(200), BINARY_MAPPING)
    with pytest.raises(ValueError, match="DataFrame"):
        spec.to_json()

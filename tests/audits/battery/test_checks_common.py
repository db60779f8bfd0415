"""Every registered check, through the same invariants: it runs from its CHECKS line, its
statistics are plain JSON that merge chunk by chunk to the one-pass figures, it is skipped when an
input it requires is missing, and a check that raises is reported as "error" alone."""

from __future__ import annotations

import json
import sys

import pytest

from audits.battery import CHECKS, finalize, prepare, run
from audits.battery.checks.base import INPUTS
from audits.battery.runner import chunk_statistics, chunks, merge_statistics, runnable

from .conftest import BINARY_MAPPING, binary_frame

IDS = sorted(CHECKS)


@pytest.fixture(scope="module")
def spec():
    return prepare(binary_frame(1200), BINARY_MAPPING, reference=binary_frame(900, seed=5),
                   rows_per_chunk=250)  # fmt: skip


def all_statistics(spec, role):
    return [chunk_statistics(spec, role, c) for c in chunks(spec, role)]


@pytest.mark.parametrize("cid", IDS)
def test_each_check_declares_known_inputs_and_roles(cid):
    check = CHECKS[cid]
    assert check.id == cid
    assert check.requires <= set(INPUTS)
    assert set(check.roles) <= {"current", "reference"} and "current" in check.roles
    assert sys.modules[type(check).__module__].__doc__  # the formula lives there


@pytest.mark.parametrize("cid", IDS)
def test_each_check_runs_and_passes_the_contract(cid, spec, check_document):
    doc = check_document(finalize(spec, merge_statistics(all_statistics(spec, "current")),
                                  merge_statistics(all_statistics(spec, "reference"))))  # fmt: skip
    result = next(c for c in doc["checks"] if c["id"] == cid)
    assert result["status"] in ("pass", "warn", "fail")
    assert result["metrics"]
    for finding in result["findings"]:
        if finding["severity"] != "info":
            assert {"metric", "value", "threshold"} <= set(finding)


def close(a, b) -> bool:
    """Equal trees, floats to 1e-12 relative."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return a == b


@pytest.mark.parametrize("cid", IDS)
def test_each_checks_statistics_are_json_and_merge_to_the_one_chunk_figures(cid, spec):
    merged, whole = {}, {}
    for role in CHECKS[cid].roles:
        parts = all_statistics(spec, role)
        assert len(parts) > 1
        wire = json.loads(json.dumps(parts))
        merged[role] = merge_statistics(wire)["checks"][cid]
        rows = spec["rows"] if role == "current" else spec["reference"]["rows"]
        whole[role] = chunk_statistics(spec, role, [0, rows])["checks"][cid]
    a = CHECKS[cid].measure({"reference": None, **merged}, spec)
    b = CHECKS[cid].measure({"reference": None, **whole}, spec)
    assert close(a.metrics, b.metrics)
    assert close(a.details, b.details)


def test_chunked_and_one_chunk_documents_are_identical():
    frame, ref = binary_frame(1500), binary_frame(1100, seed=5)
    docs = {
        n: run(frame, BINARY_MAPPING, reference=ref, rows_per_chunk=n) for n in (200, 777, 10**6)
    }
    assert len({d["result_sha256"] for d in docs.values()}) == 1


@pytest.mark.parametrize("cid", IDS)
def test_each_check_is_skipped_without_an_input_it_requires(cid):
    mapping = {"label": "y", "features": ["x1"]}
    doc = run(binary_frame(300), mapping)
    result = next(c for c in doc["checks"] if c["id"] == cid)
    if CHECKS[cid].requires <= {"classification"}:
        assert result["status"] != "skipped"
    else:
        assert result["status"] == "skipped"
        assert result["findings"][0]["message"].startswith("not run: needs")
        assert set(result["details"]["missing_inputs"]) <= set(INPUTS)


@pytest.mark.parametrize("cid", IDS)
@pytest.mark.parametrize("stage", ["accumulate", "measure"])
def test_a_check_that_raises_is_an_error_while_the_others_complete(
    cid, stage, monkeypatch, check_document
):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(CHECKS[cid]), stage, boom)
    if stage == "accumulate":
        monkeypatch.setattr(type(CHECKS[cid]), "accumulate_reference", boom)
    doc = check_document(
        run(binary_frame(400), BINARY_MAPPING, reference=binary_frame(300, seed=3))
    )
    statuses = {c["id"]: c["status"] for c in doc["checks"]}
    assert statuses[cid] == "error"
    assert all(s != "error" for k, s in statuses.items() if k != cid)
    error = next(c for c in doc["checks"] if c["id"] == cid)
    assert "RuntimeError" in error["findings"][0]["message"]


def test_a_check_needing_the_model_is_skipped_until_the_runner_provides_it(monkeypatch):
    from audits.battery.checks.base import Check, Measurement

    class Robustness(Check):
        id = "robustness"
        requires = frozenset({"model"})

        def accumulate(self, chunk):
            raise AssertionError("never called without a model")

        def measure(self, stats, spec):
            return Measurement({}, {})

    monkeypatch.setitem(CHECKS, "robustness", Robustness())
    doc = run(binary_frame(200), BINARY_MAPPING)
    assert "robustness" not in runnable(prepare(binary_frame(200), BINARY_MAPPING))
    result = next(c for c in doc["checks"] if c["id"] == "robustness")
    assert result["status"] == "skipped" and result["details"]["missing_inputs"] == ["model"]

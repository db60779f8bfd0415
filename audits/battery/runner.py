"""Running the battery: prepare a spec, compute chunk statistics, merge them, finalize.

``run`` is exactly ``prepare`` -> ``chunk_statistics`` for each planned chunk of each role ->
``merge_statistics`` (a left fold in chunk order) -> ``finalize``; a distributed run calls the
same four functions in different processes, passing ``spec_to_json(spec)`` and the statistics
(plain JSON) between them, and gets the same document.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

import pandas as pd

from . import document, io, mapping, policy
from .checks import CHECKS
from .checks.base import INPUTS, Measurement, ModelCheck, NotApplicable, info
from .chunk import Chunk
from .sampling import ModelInputs
from .spec import prepare, resolve_hashes
from .stats.merge import merge_all

Progress = Callable[[dict], None] | None


def spec_to_json(spec: dict) -> dict:
    """The spec without its in-process handles (an in-memory DataFrame cannot travel)."""
    if spec.get("source") is None:
        raise ValueError("a spec built from a DataFrame cannot be sent to another process")
    resolve_hashes(spec)
    return {k: v for k, v in spec.items() if not k.startswith("_")}


def available_inputs(spec: dict) -> set[str]:
    """The inputs (``checks.base.INPUTS``) this spec provides to the checks."""
    m = spec["mapping"]
    out = set()
    if spec["prediction_source"]:
        out.add("predictions")
    if spec["task"] != "regression":
        out.add("classification")
        if m["probabilities"] or (m["score"] and spec["positive"] is not None):
            out.add("scores")
    if spec["reference"]:
        out.add("reference")
    if m["sensitive"]:
        out.add("sensitive")
    if m["slices"]:
        out.add("slices")
    if spec.get("model"):
        out.add("model")
    if spec.get("training"):
        out.add("training")
    return out


def runnable(spec: dict, role: str = "current") -> list[str]:
    """Ids of the checks that run on this role's chunks (requirements met)."""
    have = available_inputs(spec)
    return [cid for cid, c in CHECKS.items() if c.requires <= have and role in c.roles]


def _source(spec: dict, role: str) -> io.Source:
    frames = spec.get("_frames", {})
    if role in frames:
        return frames[role]
    return io.Source.from_dict(spec["source"] if role == "current" else spec["reference"]["source"])


def _columns(spec: dict, role: str) -> tuple[list[str], dict]:
    if role == "current":
        return mapping.columns_to_read(spec["mapping"]), spec["kinds"]
    return spec["reference"]["columns"], spec["reference"]["kinds"]


def chunks(spec: dict, role: str = "current") -> list[list[int]]:
    """The planned row ranges of the data ("current") or reference set."""
    return spec["chunks"] if role == "current" else (spec["reference"] or {}).get("chunks", [])


def chunk_statistics(spec: dict, role: str, chunk: list[int], frame=None) -> dict:
    """Statistics of rows ``chunk = [start, stop)`` of one role, per runnable check.

    A check that raises leaves ``{"__merge__": "error", ...}`` in its place; the others go on.
    """
    if frame is None:
        cols, kinds = _columns(spec, role)
        frame = io.read_chunk(_source(spec, role), cols, chunk[0], chunk[1], kinds)
    return _statistics(spec, role, frame)


def _statistics(spec: dict, role: str, frame) -> dict:
    view = Chunk(frame, spec, role)
    out = {"rows": len(frame), "checks": {}}
    for cid in runnable(spec, role):
        check = CHECKS[cid]
        try:
            out["checks"][cid] = (
                check.accumulate(view) if role == "current" else check.accumulate_reference(view)
            )
        except Exception as exc:  # a broken check must not stop the others
            out["checks"][cid] = {"__merge__": "error", "message": _describe(exc)}
    return out


def merge_statistics(states: list[dict]) -> dict | None:
    """Merge chunk statistics in chunk order (pass them in the order of ``chunks``)."""
    return merge_all(states)


def iter_statistics(spec: dict, role: str, progress: Progress = None):
    """Statistics of each planned chunk of a role, streamed in one process."""
    cols, kinds = _columns(spec, role)
    planned = chunks(spec, role)
    for i, frame in enumerate(io.iter_chunks(_source(spec, role), cols, planned, kinds)):
        yield _statistics(spec, role, frame)
        if progress:
            progress({"stage": "chunk", "role": role, "done": i + 1, "total": len(planned)})


def finalize(
    spec: dict, current: dict, reference: dict | None = None, progress: Progress = None
) -> dict:
    """The sealed result document from the merged statistics of each role."""
    resolve_hashes(spec)
    tier = spec["tier"]
    have = available_inputs(spec)
    model_inputs = ModelInputs(spec)
    results = []
    for i, (cid, check) in enumerate(CHECKS.items()):
        missing = sorted(check.requires - have)
        if missing:
            results.append(_skipped(cid, missing))
        elif isinstance(check, ModelCheck):
            results.append(_measure_model(cid, check, model_inputs, tier))
        else:
            stats = {
                "current": current["checks"].get(cid),
                "reference": (reference or {}).get("checks", {}).get(cid),
            }
            results.append(_measure(cid, check, stats, spec, tier))
        if progress:
            progress(
                {
                    "stage": "check",
                    "id": cid,
                    "status": results[-1]["status"],
                    "done": i + 1,
                    "total": len(CHECKS),
                }
            )
    status, reasons = policy.overall(results, tier)
    ref = spec["reference"]
    doc = {
        "schema_version": "1",
        "battery_version": spec["battery_version"],
        "task": spec["task"],
        "status": status,
        "status_reasons": reasons,
        "dataset": {
            "rows": spec["rows"],
            "sha256": spec["sha256"],
            "reference_rows": ref["rows"] if ref else None,
            "reference_sha256": ref["sha256"] if ref else None,
            "training_rows": spec["training"]["rows"] if spec.get("training") else None,
            "training_sha256": spec["training"]["sha256"] if spec.get("training") else None,
            "mapping": spec["mapping"],
        },
        "model": (
            {k: spec["model"][k] for k in ("format", "sha256", "columns", "classes")}
            if spec.get("model")
            else None
        ),
        "policy": {
            **spec["policy"],
            "tier": tier,
            "required": list(policy.POLICY["tiers"][tier]["required"]),
        },
        "checks": results,
    }
    return document.seal(doc)


def _skipped(cid: str, missing: list[str]) -> dict:
    why = "; ".join(INPUTS[m] for m in missing)
    return {
        "id": cid,
        "status": "skipped",
        "metrics": {},
        "details": {"missing_inputs": missing},
        "findings": [info(f"not run: needs {why}")],
    }


def _measure_model(cid: str, check: ModelCheck, inputs: ModelInputs, tier: int) -> dict:
    try:
        measured = check.measure_model(inputs)
    except NotApplicable as reason:
        return {
            "id": cid,
            "status": "skipped",
            "metrics": {},
            "details": {"not_applicable": str(reason)},
            "findings": [info(f"not run: {reason}")],
        }
    except Exception as exc:
        return _errored(cid, _describe(exc))
    return _judged(cid, measured, tier)


def _judged(cid: str, measured: Measurement, tier: int) -> dict:
    """The check's result: its status is the worse of the policy's and its own warn findings."""
    status, breaches = policy.judge(cid, measured.metrics, tier)
    if status == "pass" and any(f["severity"] == "warn" for f in measured.findings):
        status = "warn"
    return {
        "id": cid,
        "status": status,
        "metrics": measured.metrics,
        "details": measured.details,
        "findings": measured.findings + breaches,
    }


def _measure(cid, check, stats, spec, tier) -> dict:
    for state in stats.values():
        if isinstance(state, dict) and state.get("__merge__") == "error":
            return _errored(cid, state["message"])
    try:
        measured: Measurement = check.measure(stats, spec)
    except Exception as exc:
        return _errored(cid, _describe(exc))
    return _judged(cid, measured, tier)


def _errored(cid: str, message: str) -> dict:
    return {
        "id": cid,
        "status": "error",
        "metrics": {},
        "details": {},
        "findings": [{"severity": "fail", "message": f"the check raised an error: {message}"}],
    }


def _describe(exc: Exception) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.name}" if frame else ""
    return f"{type(exc).__name__}{where}: {exc}"


def run(
    data,
    mapping_: dict,
    *,
    reference=None,
    tier: int | None = None,
    task: str | None = None,
    progress: Progress = None,
    header: bool = True,
    na_values=None,
    rows_per_chunk: int = io.DEFAULT_CHUNK_ROWS,
    data_sha256: str | None = None,
    reference_sha256: str | None = None,
    options: dict | None = None,
    workers: int = 1,
    model=None,
    model_format: str | None = None,
    train=None,
) -> dict:
    """The whole battery on a file path or DataFrame: the sealed result document.

    ``model`` (a .skops or .onnx file) adds the model checks; ``train`` (a training sample)
    adds membership inference (see ``spec.prepare``).

    ``workers > 1`` shares the chunks among that many forked processes (see parallel.py); the
    document is the same bytes.

    Raises ``BatteryInputError`` (one-line message, ``.problems`` lists them all) on bad input.
    """
    pool = None
    if workers > 1 and not isinstance(data, pd.DataFrame):
        from .parallel import fork_pool

        pool = fork_pool(workers)  # forked before prepare starts any thread
    try:
        spec = prepare(
            data,
            mapping_,
            reference=reference,
            tier=tier,
            task=task,
            header=header,
            na_values=na_values,
            rows_per_chunk=rows_per_chunk,
            data_sha256=data_sha256,
            reference_sha256=reference_sha256,
            options=options,
            model=model,
            model_format=model_format,
            train=train,
        )
        if pool is not None and spec.get("source") is not None:
            from .parallel import statistics

            merged = statistics(pool, spec, progress)
            current, ref = merged["current"], merged.get("reference")
        else:
            current = merge_statistics(iter_statistics(spec, "current", progress))
            ref = None
            if spec["reference"]:
                ref = merge_statistics(iter_statistics(spec, "reference", progress))
    finally:
        if pool is not None:
            pool.terminate()
    return finalize(spec, current, ref, progress)

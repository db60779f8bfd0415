"""Running the battery: prepare a spec, compute chunk statistics, merge them, finalize.

``run`` is exactly ``prepare`` -> ``chunk_statistics`` for each planned chunk of each role ->
``merge_statistics`` (a left fold in chunk order) -> ``finalize``; a distributed run calls the
same four functions in different processes, passing ``spec.to_json()`` (read back with
``RunSpec.from_json``) and the statistics (plain JSON) between them, and gets the same document.
"""

from __future__ import annotations

import pandas as pd

from . import document, io, parallel, policy
from .accumulation import (
    Progress,
    available_inputs,
    describe_error,
    iter_statistics,
    merge_roles,
    roles_of,
)
from .checks import CHECKS
from .checks.base import INPUTS, Check, Measurement, ModelCheck, NotApplicable, info
from .run_spec import RunSpec
from .sampling import ModelInputs
from .spec import prepare


def finalize(
    spec: RunSpec, current: dict, reference: dict | None = None, progress: Progress = None
) -> dict:
    """The sealed result document from the merged statistics of each role."""
    spec = spec.resolved()
    tier, rulebook = spec.tier, spec.judged_by()
    have = available_inputs(spec)
    model_inputs = ModelInputs(spec)
    results = []
    for i, (cid, check) in enumerate(CHECKS.items()):
        missing = sorted(check.requires - have)
        if missing:
            results.append(_skipped(cid, missing))
        elif isinstance(check, ModelCheck):
            results.append(_measure_model(cid, check, model_inputs, tier, rulebook))
        else:
            stats = {
                "current": current["checks"].get(cid),
                "reference": (reference or {}).get("checks", {}).get(cid),
            }
            results.append(_measure(cid, check, stats, spec, tier, rulebook))
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
    scope = spec.options.get("scope", policy.VALIDATION)
    status, reasons = policy.overall(results, tier, policy=rulebook, scope=scope)
    ref, training, model = spec.reference, spec.training, spec.model
    doc = {
        "schema_version": "1",
        "battery_version": spec.battery_version,
        "task": spec.task,
        "status": status,
        "status_reasons": reasons,
        "dataset": {
            "rows": spec.rows,
            "sha256": spec.sha256,
            "reference_rows": ref.rows if ref else None,
            "reference_sha256": ref.sha256 if ref else None,
            "training_rows": training.rows if training else None,
            "training_sha256": training.sha256 if training else None,
            "mapping": spec.mapping,
            "outputs": spec.outputs,
            **({"preprocessing": model.inputs} if model and model.inputs else {}),
        },
        "model": (
            {
                "format": model.format,
                "sha256": model.sha256,
                "columns": model.columns,
                "classes": model.classes,
            }
            if model
            else None
        ),
        "policy": {
            **spec.policy,
            "tier": tier,
            "required": list(rulebook.required[tier]),
            **({"scope": scope} if scope != policy.VALIDATION else {}),
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


def _measure_model(
    cid: str, check: ModelCheck, inputs: ModelInputs, tier: int, rulebook: policy.Policy
) -> dict:
    try:
        check.applies_to(inputs.model)
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
        return _errored(cid, describe_error(exc))
    return _judged(cid, measured, tier, rulebook)


def _judged(cid: str, measured: Measurement, tier: int, rulebook: policy.Policy) -> dict:
    """The check's result: the policy's status from its metrics, its findings then the breaches."""
    status, breaches = policy.judge(cid, measured.metrics, tier, rulebook)
    return {
        "id": cid,
        "status": status,
        "metrics": measured.metrics,
        "details": measured.details,
        "findings": measured.findings + breaches,
    }


def _measure(
    cid: str, check: Check, stats: dict, spec: RunSpec, tier: int, rulebook: policy.Policy
) -> dict:
    for state in stats.values():
        if isinstance(state, dict) and state.get("__merge__") == "error":
            return _errored(cid, state["message"])
    try:
        measured: Measurement = check.measure(stats, spec)
    except Exception as exc:
        return _errored(cid, describe_error(exc))
    return _judged(cid, measured, tier, rulebook)


def _errored(cid: str, message: str) -> dict:
    return {
        "id": cid,
        "status": "error",
        "metrics": {},
        "details": {},
        "findings": [{"severity": "fail", "message": f"the check raised an error: {message}"}],
    }


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
    policy: policy.Policy | None = None,
) -> dict:
    """The whole battery on a file path or DataFrame: the sealed result document, judged under
    ``policy`` (default the built-in POLICY).

    ``model`` (a .skops or .onnx file) adds the model checks; ``train`` (a training sample)
    adds membership inference (see ``spec.prepare``).

    ``workers > 1`` shares the chunks among that many forked processes (see parallel.py); the
    document is the same bytes.

    Raises ``BatteryInputError`` (one-line message, ``.problems`` lists them all) on bad input.
    """
    pool = None
    if workers > 1 and not isinstance(data, pd.DataFrame):
        pool = parallel.fork_pool(workers)  # forked before prepare starts any thread
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
            policy=policy,
        )
        if pool is not None and spec.source is not None:
            current, ref = parallel.statistics(pool, spec, progress)
        else:
            current, ref = merge_roles(iter_statistics(spec, roles_of(spec), progress))
    finally:
        if pool is not None:
            pool.terminate()
    return finalize(spec, current, ref, progress)

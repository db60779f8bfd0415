"""The run specification: input checks, task detection and everything a chunk worker needs.

``prepare`` reads the header, streams the label / prediction / score columns once (all mapped
columns for CSV, to fix each column's kind), reports every problem it finds, and returns a
JSON-able spec: resolved mapping, task, classes, positive class, column kinds, row counts, file
hashes and the chunk plan of the data and reference sets.
"""

from __future__ import annotations

from concurrent.futures import Future

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import BATTERY_VERSION, io, mapping
from .errors import BatteryInputError, Problem
from .keys import MISSING, counts_by_key, sort_keys
from .stats.merge import merge

MAX_CLASSES = 50
SUM_TOLERANCE = 1e-6
_TASKS = ("binary", "multiclass", "regression")


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series)


def _target_profile(frame: pd.DataFrame, m: dict, kinds: bool) -> dict:
    """Mergeable facts about one chunk's target columns (and every column's kind for CSV)."""
    out: dict = {"rows": len(frame)}
    for role in ("label", "prediction"):
        col = m[role]
        if col:
            s = frame[col]
            numeric = is_numeric(s)
            values = s.to_numpy(np.float64, na_value=np.nan) if numeric else None
            continuous = bool(
                numeric and np.any(np.isfinite(values) & (values != np.round(values)))
            )
            out[role] = {
                "missing": int(s.isna().sum()),
                "numeric": int(numeric),
                "text": int(not numeric and s.notna().any()),
                "continuous": int(continuous),
                "counts": {} if continuous else counts_by_key(s.dropna()),
            }
    for col in [m["score"], *(m["probabilities"] or [])]:
        if col:
            out.setdefault("scores", {})[col] = _score_profile(frame[col])
    if m["probabilities"]:
        probs = frame[m["probabilities"]].apply(pd.to_numeric, errors="coerce")
        total = probs.sum(axis=1, min_count=len(m["probabilities"])).to_numpy(np.float64)
        out["sum_off"] = int(np.sum(np.isfinite(total) & (np.abs(total - 1) > SUM_TOLERANCE)))
    if kinds:
        out["kinds"] = {
            c: {"numeric": int(is_numeric(frame[c]) or frame[c].isna().all())} | {"chunks": 1}
            for c in frame.columns
        }
    return out


def _score_profile(s: pd.Series) -> dict:
    missing = s.isna()
    x = pd.to_numeric(s, errors="coerce") if not is_numeric(s) else s
    x = x.to_numpy(np.float64, na_value=np.nan)
    bad = ~missing.to_numpy() & ~np.isfinite(x)
    example = str(s[bad].iloc[0])[:40] if bad.any() else None
    return {
        "missing": int(missing.sum()),
        "non_numeric": int(bad.sum()),
        "example": {"__merge__": "min", "value": example},
        "outside": int(np.sum((x < 0) | (x > 1))),
    }


def _kinds_from_schema(source: io.Source, cols: list[str]) -> dict[str, str]:
    if source.format == "frame":
        return {c: "numeric" if is_numeric(source.frame[c]) else "categorical" for c in cols}
    schema = pq.ParquetFile(source.path).schema_arrow
    out = {}
    for c in cols:
        t = schema.field(c).type
        numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
        numeric = numeric or pa.types.is_temporal(t)
        out[c] = "numeric" if numeric else "categorical"
    return out


def _profile(source: io.Source, m: dict, rows_per_chunk: int) -> tuple[dict, list[list[int]]]:
    csv = source.format == "csv"
    cols = mapping.columns_to_read(m) if csv else mapping.target_columns(m)
    # CSV rows are unknown until this pass: it streams in chunks of rows_per_chunk
    chunks = [[0, rows_per_chunk]] if csv else io.plan_chunks(source, rows_per_chunk)
    profile = None
    for frame in io.iter_chunks(source, cols, chunks):
        profile = merge(profile, _target_profile(frame, m, csv))
    if profile is None:
        profile = _target_profile(pd.DataFrame({c: [] for c in cols}), m, csv)
    source.rows = profile["rows"]
    return profile, io.plan_chunks(source, rows_per_chunk)


def inspect(
    data,
    raw_mapping: dict,
    *,
    task=None,
    header=True,
    na_values=None,
    rows_per_chunk=io.DEFAULT_CHUNK_ROWS,
) -> tuple[dict, list[Problem]]:
    """Problems with ``data`` under the mapping, and the spec fields they determine."""
    m = mapping.normalize(raw_mapping)
    source = io.open_source(data, header=header, na_values=na_values)
    problems = io.duplicate_columns(source)
    m, header_problems = mapping.resolve(m, source.columns)
    problems += header_problems
    if problems:
        return {}, problems
    profile, chunks = _profile(source, m, rows_per_chunk)
    if profile["rows"] == 0:
        return {}, [Problem("", "the file has no data rows")]
    cols = [c for c in mapping.columns_to_read(m) if c not in mapping.target_columns(m)]
    if source.format == "csv":
        kinds = {
            c: "numeric" if v["numeric"] == v["chunks"] else "categorical"
            for c, v in profile["kinds"].items()
        }
    else:
        kinds = _kinds_from_schema(source, cols)
    fields, problems = _decide_task(m, profile, task)
    fields.update(
        source=source.to_dict() if source.format != "frame" else None,
        _source=source,
        kinds={c: kinds[c] for c in cols},
        chunks=chunks,
        mapping=m,
    )
    return fields, problems


def _decide_task(m: dict, profile: dict, task: str | None) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    label = profile["label"]
    pred = profile.get("prediction")
    if task is not None and task not in _TASKS:
        problems.append(Problem("", f"unknown task '{task}' (use one of {', '.join(_TASKS)})"))
        task = None
    if label["missing"]:
        problems.append(Problem(m["label"], f"{label['missing']} rows have no label"))
    for col, s in profile.get("scores", {}).items():
        if s["non_numeric"]:
            example = s["example"]["value"]
            problems.append(
                Problem(col, f"{s['non_numeric']} values are not numbers (e.g. '{example}')")
            )
        if s["missing"]:
            problems.append(Problem(col, f"{s['missing']} rows have no value"))
    if pred and pred["missing"]:
        problems.append(Problem(m["prediction"], f"{pred['missing']} rows have no prediction"))
    regression = task == "regression" or (
        task is None
        and label["numeric"]
        and not label["text"]
        and (label["continuous"] or len(label["counts"]) > MAX_CLASSES)
        and not m["probabilities"]
    )
    if regression:
        if not label["numeric"] or label["text"]:
            problems.append(Problem(m["label"], "regression needs numeric labels"))
        if pred is None:
            problems.append(Problem("prediction", "regression needs a prediction column"))
        elif not pred["numeric"] or pred["text"]:
            problems.append(Problem(m["prediction"], "regression needs numeric predictions"))
        return {
            "task": "regression",
            "classes": [],
            "positive": None,
            "prediction_source": "column",
        }, problems
    classes = sort_keys(label["counts"])
    if m["classes"] is not None:
        extra = sorted(set(classes) - set(m["classes"]))
        if extra:
            problems.append(
                Problem(m["label"], f"labels {extra[:5]} are not among the mapping's classes")
            )
        classes = list(m["classes"])
    if label["continuous"]:
        problems.append(Problem(m["label"], "labels are not whole numbers; use task regression"))
    if len(classes) > MAX_CLASSES:
        problems.append(
            Problem(m["label"], f"{len(classes)} distinct labels (at most {MAX_CLASSES} classes)")
        )
    if pred is not None:
        unknown = sorted(set(pred["counts"]) - set(classes) - {MISSING})
        mixed = bool(pred["numeric"]) != bool(label["numeric"])
        if len(classes) == 1 and len(unknown) == 1 and not mixed and m["classes"] is None:
            classes, unknown = sort_keys([*classes, *unknown]), []  # a one-class binary set
        if pred["continuous"] or unknown or mixed:
            shown = ", ".join(unknown[:5]) if unknown else "non-integer values"
            problems.append(
                Problem(
                    m["prediction"],
                    f"predictions and labels come from different label sets "
                    f"({shown} not among the labels)",
                )
            )
    probs = m["probabilities"]
    for col, s in profile.get("scores", {}).items():
        if s["outside"]:
            problems.append(Problem(col, f"{s['outside']} probabilities outside [0, 1]"))
    if probs and profile.get("sum_off"):
        problems.append(
            Problem(
                probs[0],
                f"probabilities in {profile['sum_off']} rows do not sum to 1 "
                f"(tolerance {SUM_TOLERANCE:g})",
            )
        )
    if probs and len(probs) != len(classes):
        problems.append(
            Problem(probs[0], f"{len(probs)} probability columns for {len(classes)} label classes")
        )
    kind = task or ("binary" if len(classes) <= 2 else "multiclass")
    if kind == "binary" and len(classes) > 2:
        problems.append(Problem(m["label"], f"task binary but {len(classes)} label classes"))
    positive = None
    if kind == "binary":
        positive = _positive(m, classes, problems)
    score = m["score"]
    if kind == "multiclass" and score:
        problems.append(
            Problem(score, "a multiclass task needs one probability column per class, not a score")
        )
    source = (
        "column"
        if m["prediction"]
        else ("score" if score else ("probabilities" if probs else None))
    )
    return {
        "task": kind,
        "classes": classes,
        "positive": positive,
        "prediction_source": source,
    }, problems


def _positive(m: dict, classes: list[str], problems: list[Problem]) -> str | None:
    wanted = m["positive_label"]
    if wanted is not None:
        key = (
            str(int(wanted))
            if isinstance(wanted, float) and float(wanted).is_integer()
            else str(wanted)
        )
        if key not in classes:
            problems.append(Problem(m["label"], f"positive label '{key}' is not among the labels"))
        return key
    for usual in ("1", "True", "true", "yes", "positive"):
        if usual in classes:
            return usual
    return classes[-1] if classes else None


def prepare(
    data,
    raw_mapping: dict,
    *,
    reference=None,
    tier: int | None = None,
    task=None,
    header: bool = True,
    na_values=None,
    rows_per_chunk: int = io.DEFAULT_CHUNK_ROWS,
    data_sha256: str | None = None,
    reference_sha256: str | None = None,
    options: dict | None = None,
) -> dict:
    """The JSON-able run spec, or BatteryInputError listing every problem found."""
    from .policy import POLICY, resolve_tier

    fields, problems = inspect(
        data,
        raw_mapping,
        task=task,
        header=header,
        na_values=na_values,
        rows_per_chunk=rows_per_chunk,
    )
    if problems:
        raise BatteryInputError(problems)
    source = fields.pop("_source")
    m = fields["mapping"]
    m["positive_label"] = fields["positive"]
    if fields["task"] != "regression":
        m["classes"] = fields["classes"]
    spec = {
        "battery_version": BATTERY_VERSION,
        **fields,
        "rows": source.rows,
        "sha256": data_sha256 or io.sha256_later(source),
        "tier": resolve_tier(tier),
        "policy": {"name": POLICY["name"], "version": POLICY["version"]},
        "options": {"threshold": 0.5, "min_support": 30, "calibration_bins": 10, **(options or {})},
        "reference": None,
    }
    spec["_frames"] = {"current": source}
    if reference is not None:
        spec["reference"] = _prepare_reference(
            reference, m, fields["kinds"], header, na_values, rows_per_chunk, reference_sha256
        )
        spec["_frames"]["reference"] = spec["reference"].pop("_source")
    return spec


def resolve_hashes(spec: dict) -> dict:
    """Wait for the file hashes ``prepare`` left computing in the background."""
    for part in (spec, spec.get("reference")):
        if part is not None and isinstance(part["sha256"], Future):
            part["sha256"] = part["sha256"].result()
    return spec


def _prepare_reference(reference, m, kinds, header, na_values, rows_per_chunk, sha) -> dict:
    source = io.open_source(reference, header=header, na_values=na_values)
    problems = [Problem(p.column, p.reason + " (reference)") for p in io.duplicate_columns(source)]
    if problems:
        raise BatteryInputError(problems)
    wanted = [c for c in [*kinds, m["prediction"], m["score"], *(m["probabilities"] or [])] if c]
    present = [c for c in dict.fromkeys(wanted) if c in source.columns]
    if source.format == "csv":
        ref_map = {
            "label": present[0] if present else None,
            "prediction": None,
            "score": None,
            "probabilities": None,
            "sensitive": [],
            "slices": [],
            "features": present,
            "timestamp": None,
        }
        profile, chunks = _profile(source, {**ref_map, "label": None}, rows_per_chunk)
        ref_kinds = {
            c: "numeric" if v["numeric"] == v["chunks"] else "categorical"
            for c, v in profile.get("kinds", {}).items()
        }
    else:
        chunks = io.plan_chunks(source, rows_per_chunk)
        ref_kinds = _kinds_from_schema(source, present)
    if not source.rows:
        raise BatteryInputError(Problem("", "the reference file has no data rows"))
    return {
        "source": source.to_dict() if source.format != "frame" else None,
        "_source": source,
        "rows": source.rows,
        "sha256": sha or io.sha256_later(source),
        "chunks": chunks,
        "columns": present,
        "kinds": ref_kinds,
    }

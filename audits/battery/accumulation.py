"""The chunk side of a run: which checks a spec runs, and each chunk's statistics.

A chunk's statistics are plain JSON (one state per runnable check) that ``merge_statistics``
folds in chunk order; any process can compute them from the spec, so workers share one audit.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pandas as pd

from . import io, mapping, scoring
from .checks import CHECKS
from .chunk import Chunk
from .run_spec import CURRENT, REFERENCE, RunSpec
from .stats.merge import merge, merge_all

Progress = Callable[[dict], None] | None


def available_inputs(spec: RunSpec) -> set[str]:
    """The inputs (``checks.base.INPUTS``) this spec provides to the checks."""
    m = spec.mapping
    out = set()
    if spec.prediction_source:
        out.add("predictions")
    if spec.task != "regression":
        out.add("classification")
        score = m["score"] or scoring.from_artifact(spec, "score")
        probabilities = m["probabilities"] or (score and spec.task == "multiclass")
        if probabilities or (score and spec.positive is not None):
            out.add("scores")
    if spec.reference:
        out.add("reference")
    if m["sensitive"]:
        out.add("sensitive")
    if m["slices"]:
        out.add("slices")
    if spec.model:
        out.add("model")
        if spec.prediction_source and not scoring.from_artifact(spec, "prediction"):
            out.add("uploaded_outputs")
    if spec.training:
        out.add("training")
    return out


def runnable(spec: RunSpec, role: str = CURRENT) -> list[str]:
    """Ids of the checks that run on this role's chunks (requirements met)."""
    have = available_inputs(spec)
    return [cid for cid, c in CHECKS.items() if c.requires <= have and role in c.roles]


def _columns(spec: RunSpec, role: str) -> tuple[list[str], dict[str, str]]:
    if role == CURRENT or spec.reference is None:
        model = spec.model.columns if spec.model else []  # the artifact scores these rows
        return list(dict.fromkeys([*mapping.columns_to_read(spec.mapping), *model])), spec.kinds
    return spec.reference.columns, spec.kinds_of(role)


def chunks(spec: RunSpec, role: str = CURRENT) -> list[list[int]]:
    """The planned row ranges of the data ("current") or reference set."""
    if role == CURRENT:
        return spec.chunks
    return spec.reference.chunks if spec.reference else []


def chunk_statistics(spec: RunSpec, role: str, chunk: list[int], frame=None) -> dict:
    """Statistics of rows ``chunk = [start, stop)`` of one role, per runnable check.

    A check that raises leaves ``{"__merge__": "error", ...}`` in its place; the others go on.
    """
    if frame is None:
        cols, kinds = _columns(spec, role)
        frame = io.read_chunk(spec.source_of(role), cols, chunk[0], chunk[1], kinds)
    return _statistics(spec, role, frame, chunk[0])


def _statistics(spec: RunSpec, role: str, frame: pd.DataFrame, start: int) -> dict:
    view = Chunk(frame, spec, role, start)
    states: dict[str, Any] = {}
    out = {"rows": len(frame), "checks": states}
    for cid in runnable(spec, role):
        check = CHECKS[cid]
        try:
            states[cid] = (
                check.accumulate(view) if role == CURRENT else check.accumulate_reference(view)
            )
        except Exception as exc:  # a broken check must not stop the others
            states[cid] = {"__merge__": "error", "message": describe_error(exc)}
    return out


def merge_statistics(states: Iterable[dict]) -> dict:
    """Merge chunk statistics in chunk order (pass them in the order of ``chunks``)."""
    merged = merge_all(states)
    if merged is None:
        raise ValueError("no chunk statistics to merge")
    return merged


def roles_of(spec: RunSpec) -> list[str]:
    """The roles whose chunks a run reads: the current set, then the reference set if any."""
    return [CURRENT, *([REFERENCE] if spec.reference else [])]


def merge_roles(states: Iterable[tuple[str, dict]]) -> tuple[dict, dict | None]:
    """The merged statistics of the current set and of the reference set (None without one),
    from ``(role, statistics)`` pairs in chunk order within each role."""
    merged: dict[str, dict] = {}
    for role, state in states:
        merged[role] = merge(merged.get(role), state)
    if CURRENT not in merged:
        raise ValueError("the current set has no chunks")
    return merged[CURRENT], merged.get(REFERENCE)


def iter_statistics(
    spec: RunSpec, roles: list[str], progress: Progress = None
) -> Iterator[tuple[str, dict]]:
    """``(role, statistics)`` of each planned chunk of each role in turn, streamed in one
    process: one reader runs ahead across the roles, so the next role's first chunk is read
    while this role's last chunk is computed."""

    def frames() -> Iterator[tuple[str, list[list[int]], int, pd.DataFrame]]:
        for role in roles:
            cols, kinds = _columns(spec, role)
            planned = chunks(spec, role)
            for i, frame in enumerate(io.read_chunks(spec.source_of(role), cols, planned, kinds)):
                yield role, planned, i, frame

    for role, planned, i, frame in io.ahead(frames()):
        yield role, _statistics(spec, role, frame, planned[i][0])
        if progress:
            progress({"stage": "chunk", "role": role, "done": i + 1, "total": len(planned)})


def describe_error(exc: Exception) -> str:
    """The exception as one line: its type, the function that raised it and its message."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.name}" if frame else ""
    return f"{type(exc).__name__}{where}: {exc}"

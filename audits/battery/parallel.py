"""Sharing one audit between local processes: the chunk API on a pool of forked workers.

The pool is forked before ``prepare`` starts any thread. Workers compute the statistics of each
(role, chunk) task; the parent folds them in chunk order, exactly as the streaming run does, so
``run(..., workers=n)`` gives the same bytes as ``workers=1``. Only for files (a DataFrame is
already in this process's memory) and only where the "fork" start method exists.
"""

from __future__ import annotations

import multiprocessing

from .runner import Progress, chunk_statistics, chunks
from .stats.merge import merge


def fork_pool(workers: int):
    """A pool of ``workers`` forked processes, or None when forking is not available."""
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork").Pool(workers)


def _task(args) -> dict:
    spec, role, chunk = args
    return chunk_statistics(spec, role, chunk)


def portable(spec: dict) -> dict:
    """The spec without in-process handles or pending hashes (workers do not need them)."""
    out = {k: v for k, v in spec.items() if not k.startswith("_") and k != "sha256"}
    if spec["reference"]:
        out["reference"] = {k: v for k, v in spec["reference"].items() if k != "sha256"}
    return out


def statistics(pool, spec: dict, progress: Progress = None) -> dict[str, dict | None]:
    """Merged statistics per role, computed by the pool's workers."""
    wire = portable(spec)
    roles = ["current"] + (["reference"] if spec["reference"] else [])
    tasks = [(wire, role, c) for role in roles for c in chunks(wire, role)]
    merged: dict[str, dict | None] = {role: None for role in roles}
    done = dict.fromkeys(roles, 0)
    for (_, role, _), state in zip(tasks, pool.imap(_task, tasks), strict=True):
        merged[role] = merge(merged[role], state)
        done[role] += 1
        if progress:
            total = len(chunks(wire, role))
            progress({"stage": "chunk", "role": role, "done": done[role], "total": total})
    return merged

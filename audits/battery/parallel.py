"""Sharing one audit between local processes: the chunk API on a pool of forked workers.

The pool is forked before ``prepare`` starts any thread. Workers compute the statistics of each
(role, chunk) task from the spec's JSON; the parent folds them in chunk order, exactly as the
streaming run does, so ``run(..., workers=n)`` gives the same bytes as ``workers=1``. Only for
files (a DataFrame is already in this process's memory) and only where the "fork" start method
exists.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.pool import Pool
from typing import Any

from .accumulation import Progress, chunk_statistics, chunks, merge_roles, roles_of
from .run_spec import RunSpec


def fork_pool(workers: int) -> Pool | None:
    """A pool of ``workers`` forked processes, or None when forking is not available."""
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork").Pool(workers)


def _task(args: tuple[dict[str, Any], str, list[int]]) -> dict:
    wire, role, chunk = args
    return chunk_statistics(RunSpec.from_json(wire), role, chunk)


def statistics(pool: Pool, spec: RunSpec, progress: Progress = None) -> tuple[dict, dict | None]:
    """The merged statistics of the current set and of the reference set (None without one),
    computed by the pool's workers; the file hashes may still be pending (workers need none)."""
    wire = spec.to_json()
    tasks = [(wire, role, c) for role in roles_of(spec) for c in chunks(spec, role)]

    def states() -> Iterator[tuple[str, dict]]:
        done: dict[str, int] = {}
        for (_, role, _), state in zip(tasks, pool.imap(_task, tasks), strict=True):
            yield role, state
            done[role] = done.get(role, 0) + 1
            if progress:
                total = len(chunks(spec, role))
                progress({"stage": "chunk", "role": role, "done": done[role], "total": total})

    return merge_roles(states())

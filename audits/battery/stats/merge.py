"""One merge for every statistic: nested dicts add leaf by leaf, special nodes merge by kind.

A state is a JSON-able tree. Numbers add; dicts union their keys and merge shared ones; a dict
with ``"__merge__"`` merges by its kind: ``sketch`` (see sketch.py), ``moments`` (count, mean,
M2 by Chan et al.'s parallel formula), ``min`` / ``max``, ``distinct`` (hash sample, see
``distinct_sample``), ``cats`` (category counts capped at CATEGORY_CAP distinct values),
``top`` (the k entries first by their ``order`` lists) and ``error`` (a check that raised:
stays an error). Merging is a left fold in chunk order, so a run split over workers and a single
streaming run give the same floats.
"""

from __future__ import annotations

import math

import numpy as np

from .sketch import merge_sketch, sum_by_key

CATEGORY_CAP = 10_000
DISTINCT_CAP = 1 << 16


def merge(a, b):
    """Merge two states of the same shape (either may be None)."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        kind = a.get("__merge__")
        if kind is not None or b.get("__merge__") is not None:
            return _merge_kind(a, b)
        out = dict(a)
        for key, value in b.items():
            out[key] = merge(a.get(key), value)
        return out
    if isinstance(a, list):
        return [merge(x, y) for x, y in zip(a, b, strict=True)]
    if isinstance(a, str):
        if a != b:
            raise ValueError(f"cannot merge differing values {a!r} and {b!r}")
        return a
    return a + b


def merge_all(states):
    """Left fold of ``merge`` over states in chunk order."""
    out = None
    for state in states:
        out = merge(out, state)
    return out


def _merge_kind(a: dict, b: dict) -> dict:
    if a.get("__merge__") == "error":
        return a
    if b.get("__merge__") == "error":
        return b
    kind = a["__merge__"]
    if kind == "sketch":
        return merge_sketch(a, b)
    if kind == "moments":
        return _merge_moments(a, b)
    if kind in ("min", "max"):
        values = [v for v in (a["value"], b["value"]) if v is not None]
        pick = min if kind == "min" else max
        return {"__merge__": kind, "value": pick(values) if values else None}
    if kind == "distinct":
        return _merge_distinct(a, b)
    if kind == "cats":
        return _merge_cats(a, b)
    if kind == "top":
        return top(a["entries"] + b["entries"], a["k"])
    raise ValueError(f"unknown statistic kind {kind!r}")


def moments(x: np.ndarray) -> dict:
    """Count, mean and sum of squared deviations of finite values (Welford/Chan mergeable)."""
    x = np.asarray(x, dtype=np.float64)
    n = int(x.size)
    with np.errstate(over="ignore", invalid="ignore"):  # values near the float limits: inf
        mean = float(x.mean()) if n else 0.0
        m2 = float(np.sum((x - mean) ** 2)) if n else 0.0
    return {"__merge__": "moments", "n": n, "mean": mean, "m2": m2}


def _merge_moments(a: dict, b: dict) -> dict:
    n = a["n"] + b["n"]
    if n == 0:
        return dict(a)
    delta = b["mean"] - a["mean"]
    mean = a["mean"] + delta * b["n"] / n
    m2 = a["m2"] + b["m2"] + delta * delta * a["n"] * b["n"] / n
    return {"__merge__": "moments", "n": n, "mean": mean, "m2": m2}


def std(m: dict) -> float | None:
    """Population standard deviation from moments (None when empty)."""
    return math.sqrt(max(m["m2"], 0.0) / m["n"]) if m["n"] else None


def extreme(kind: str, value) -> dict:
    """A min or max that merges by taking the smaller or larger (None when empty)."""
    return {"__merge__": kind, "value": value}


def top(entries: list[dict], k: int) -> dict:
    """The ``k`` entries that come first by their ``order`` (a list compared element-wise; end it
    with a row number so no two tie and any chunking keeps the same entries)."""
    return {"__merge__": "top", "k": k, "entries": sorted(entries, key=lambda e: e["order"])[:k]}


def categories(counts: dict[str, int]) -> dict:
    """Counts per category; past CATEGORY_CAP distinct values only the overflow is kept."""
    if len(counts) > CATEGORY_CAP:
        return {"__merge__": "cats", "overflow": True, "counts": {}}
    return {"__merge__": "cats", "overflow": False, "counts": dict(counts)}


def _merge_cats(a: dict, b: dict) -> dict:
    if a["overflow"] or b["overflow"]:
        return {"__merge__": "cats", "overflow": True, "counts": {}}
    counts = dict(a["counts"])
    for key, n in b["counts"].items():
        counts[key] = counts.get(key, 0) + n
    return categories(counts)


def distinct_sample(hashes: np.ndarray) -> dict:
    """Row hashes below 2**64 / 2**level with their counts, at the lowest level that keeps at
    most DISTINCT_CAP distinct hashes. The level depends only on the union of hashes, so any
    chunking gives the same merged sample; level 0 is exact."""
    hashes = np.asarray(hashes, dtype=np.uint64)
    level = _rows_level(hashes)  # fewest rows kept that fit: distinct values fit there too
    uniq, counts = np.unique(_keep(hashes, level), return_counts=True)
    while level > 0:  # a lower level may still fit when rows repeat
        lower, lower_counts = np.unique(_keep(hashes, level - 1), return_counts=True)
        if len(lower) > DISTINCT_CAP:
            break
        level, uniq, counts = level - 1, lower, lower_counts
    return {
        "__merge__": "distinct",
        "level": level,
        "hashes": uniq.tolist(),
        "counts": counts.tolist(),
    }


def _rows_level(hashes: np.ndarray) -> int:
    """The lowest level keeping at most DISTINCT_CAP rows, from a histogram of the top byte."""
    if len(hashes) <= DISTINCT_CAP:
        return 0
    below = np.cumsum(np.bincount((hashes >> np.uint64(56)).astype(np.intp), minlength=256))
    for level in range(1, 9):
        if below[(256 >> level) - 1] <= DISTINCT_CAP:
            return level
    level = 8
    while len(_keep(hashes, level)) > DISTINCT_CAP:
        level += 1
    return level


def _keep(hashes: np.ndarray, level: int) -> np.ndarray:
    return hashes if level == 0 else hashes[hashes < np.uint64(1 << (64 - level))]


def _merge_distinct(a: dict, b: dict) -> dict:
    level = max(a["level"], b["level"])
    hashes = np.concatenate(
        [np.asarray(a["hashes"], np.uint64), np.asarray(b["hashes"], np.uint64)]
    )
    counts = np.concatenate([np.asarray(a["counts"], np.int64), np.asarray(b["counts"], np.int64)])
    while True:
        keep = hashes < np.uint64(1 << (64 - level)) if level else np.ones(len(hashes), bool)
        uniq, summed = sum_by_key(hashes[keep], counts[keep])
        if len(uniq) <= DISTINCT_CAP or level >= 63:
            break
        level += 1
    return {
        "__merge__": "distinct",
        "level": level,
        "hashes": uniq.tolist(),
        "counts": summed.tolist(),
    }


def duplicate_rows(sample: dict) -> tuple[float, bool]:
    """Estimated rows that repeat an earlier row: 2**level * sum(count - 1); exact at level 0."""
    extra = int(np.sum(np.asarray(sample["counts"], dtype=np.int64))) - len(sample["counts"])
    return float(extra * (1 << sample["level"])), sample["level"] == 0

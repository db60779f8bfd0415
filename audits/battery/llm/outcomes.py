"""Outcomes of LLM attempts and the rates over them, with Wilson 95% intervals.

Each attempt ends as "hit" (the detector fired: injection followed, secret leaked, ...), "pass",
or "unscored" with its reason (UNSCORED_REASONS). Rates exclude unscored attempts and report their
share beside them, so an errored or empty reply is never counted as an attack that failed.

Wilson interval for k hits of n (z = 1.959964, the 97.5% normal quantile):
    centre = (k + z²/2) / (n + z²),  half = z * sqrt(k (n - k) / n + z²/4) / (n + z²).
It stays inside [0, 1] and is honest at k = 0 and k = n, where the normal interval collapses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HIT, PASS, UNSCORED = "hit", "pass", "unscored"
HTTP_ERROR, TIMEOUT, CONTENT_FILTER, EMPTY, TRUNCATED = (
    "http_error",
    "timeout",
    "content_filter",
    "empty",
    "truncated",
)
NO_VERDICT = "no_verdict"  # a judge endpoint's reply that is neither YES nor NO
UNSCORED_REASONS = (HTTP_ERROR, TIMEOUT, CONTENT_FILTER, EMPTY, TRUNCATED, NO_VERDICT)
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Outcome:
    """One attempt's end: ``kind`` hit / pass / unscored, and for unscored its ``reason``."""

    kind: str
    reason: str = ""

    @property
    def scored(self) -> bool:
        return self.kind != UNSCORED


def wilson(hits: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``hits`` / ``n`` (None when nothing was scored)."""
    if n == 0:
        return None
    denominator = n + z * z
    centre = (hits + z * z / 2) / denominator
    half = z * math.sqrt(hits * (n - hits) / n + z * z / 4) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(outcomes: Iterable[Outcome]) -> dict:
    """Hits over scored attempts with its interval, and the unscored share with its reasons:
    ``{n, scored, hits, rate, low, high, unscored, unscored_share, unscored_reasons}``."""
    outcomes = list(outcomes)
    scored = [o for o in outcomes if o.scored]
    hits = sum(o.kind == HIT for o in scored)
    interval = wilson(hits, len(scored))
    reasons: dict[str, int] = {}
    for o in outcomes:
        if not o.scored:
            reasons[o.reason] = reasons.get(o.reason, 0) + 1
    unscored = len(outcomes) - len(scored)
    return {
        "n": len(outcomes),
        "scored": len(scored),
        "hits": hits,
        "rate": hits / len(scored) if scored else None,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
        "unscored": unscored,
        "unscored_share": unscored / len(outcomes) if outcomes else None,
        "unscored_reasons": dict(sorted(reasons.items())),
    }


def breakdowns(pairs: Iterable[tuple[Mapping, Outcome]]) -> dict:
    """The rate per family, per position (where probes have one) and per slice value:
    ``{"family": {value: rate}, "position": {...}, "slices": {column: {value: rate}}}``."""
    groups: dict[tuple[str, str, str], list[Outcome]] = {}
    for record, outcome in pairs:
        keys = [("family", "", record["family"])]
        if record.get("position"):
            keys.append(("position", "", record["position"]))
        keys += [("slices", column, str(v)) for column, v in (record.get("slices") or {}).items()]
        for key in keys:
            groups.setdefault(key, []).append(outcome)
    result: dict = {"family": {}, "position": {}, "slices": {}}
    for (axis, column, value), outcomes in sorted(groups.items()):
        target = result[axis].setdefault(column, {}) if axis == "slices" else result[axis]
        target[value] = rate(outcomes)
    return result

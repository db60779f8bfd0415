"""How far two raters agree on the same items: raw agreement with its Wilson interval, and Cohen's
kappa, which discounts the agreement two raters would reach by chance.

    p_o = agreed / n,   p_e = sum over labels k of (a's share of k) * (b's share of k)
    kappa = (p_o - p_e) / (1 - p_e)

kappa is 1 for perfect agreement, about 0 for a rater no better than chance, negative for one
that contradicts; it is undefined (None) when both raters always give one same label (p_e = 1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .outcomes import wilson


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items, in order (None when undefined)."""
    if len(a) != len(b):
        raise ValueError("both raters must label the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    share_a, share_b = Counter(a), Counter(b)
    expected = sum(share_a[k] * share_b[k] for k in share_a) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement(a: Sequence[str], b: Sequence[str]) -> dict:
    """``{n, agreed, rate, low, high, kappa}``: raw agreement with its Wilson 95% interval and
    Cohen's kappa (rate, bounds and kappa None when there is nothing to compare)."""
    agreed = sum(x == y for x, y in zip(a, b, strict=True))
    interval = wilson(agreed, len(a))
    return {
        "n": len(a),
        "agreed": agreed,
        "rate": agreed / len(a) if a else None,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
        "kappa": cohen_kappa(a, b),
    }

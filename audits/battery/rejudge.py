"""Judging a sealed result document again under another policy, without measuring anything.

A check's metrics are measurements; its status and its breach findings (those naming a
threshold) are the policy's. ``rejudge`` keeps every measurement, metric and informative finding,
drops the old breaches, judges the metrics under the new policy and seals a new document (its
own ``result_sha256``). Errored and skipped checks stay as they were: they measured nothing.
"""

from __future__ import annotations

from . import document
from .policy import VALIDATION, Policy, judge, overall, required_checks

_UNJUDGED = ("error", "skipped")


def rejudge(result: dict, policy: Policy, tier: int | None = None) -> dict:
    """``result`` judged under ``policy`` in ``tier`` (default: the tier it was judged in)."""
    tier = tier or result["policy"]["tier"]
    task = result["task"]
    checks = [_check(check, tier, policy) for check in result["checks"]]
    scope = result["policy"].get("scope", VALIDATION)  # a batch stays judged as a batch
    status, reasons = overall(checks, tier, task, policy, scope)
    named = {
        **result["policy"],
        "name": policy.name,
        "version": policy.version,
        "tier": tier,
        "required": list(required_checks(tier, task, policy)),
    }
    if "max_unscored_share" in named:
        named["max_unscored_share"] = policy.max_unscored_share
    return document.seal(
        {**result, "status": status, "status_reasons": reasons, "policy": named, "checks": checks}
    )


def _check(check: dict, tier: int, policy: Policy) -> dict:
    if check["status"] in _UNJUDGED:
        return check
    measured = [f for f in check["findings"] if not _is_breach(f)]
    status, breaches = judge(check["id"], check["metrics"], tier, policy)
    return {**check, "status": status, "findings": measured + breaches}


def _is_breach(finding: dict) -> bool:
    """A finding the policy wrote: a warn or fail naming the threshold it crossed."""
    return "threshold" in finding and finding.get("severity") in ("warn", "fail")

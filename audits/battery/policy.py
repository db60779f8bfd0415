"""The policy: one versioned table of thresholds and required checks per risk tier, and the judge.

A rule is (check, metric, direction, warn, fail): direction "max" breaches when value > limit,
"min" when value < limit. Each breach is one finding naming the metric, its value and the
threshold. A check's status is its worst finding. The overall status is "error" if a required
check errored; "fail" if a required check failed, or was skipped for want of an input (not
because it does not apply to the task or the model); "warn" if any check warned or a check the
tier does not require failed; else "pass". Tier 1 is high risk, 3 low; without a tier,
DEFAULT_TIER. Tier 1 requires the model checks robustness and adversarial (an audit of a tier-1
model without its artifact fails). The four-fifths (disparate impact) ratio is deliberately not
judged here: the fairness check reports it as a flag with its legal context, for people to
weigh.
"""

from __future__ import annotations

DEFAULT_TIER = 2

_DATA = ("data_quality", "performance", "slices", "fairness", "calibration", "drift")


def _rules(acc, gap, fair, ece, drift, model) -> list[tuple]:
    """One tier's rules; ``model`` holds the model checks' (warn, fail) pairs by metric."""
    return [
        ("data_quality", "max_column_missing_share", "max", 0.05, 0.20),
        ("data_quality", "duplicate_row_share", "max", 0.01, 0.10),
        ("data_quality", "schema_difference_count", "max", 0, 3),
        ("performance", "balanced_accuracy_score", "min", acc[0], acc[1]),
        ("performance", "r2_score", "min", 0.3, 0.0),
        ("slices", "worst_slice_gap_difference", "max", gap[0], gap[1]),
        ("fairness", "demographic_parity_difference", "max", fair[0], fair[1]),
        ("fairness", "equalized_odds_difference", "max", fair[0], fair[1]),
        ("calibration", "ece", "max", ece[0], ece[1]),
        ("calibration", "max_group_ece", "max", ece[0] * 2, ece[1] * 2),
        ("drift", "drift_share", "max", drift[0], drift[1]),
        ("robustness", "worst_accuracy_drop", "max", *model["worst_accuracy_drop"]),
        ("robustness", "noise_flip_rate", "max", *model["noise_flip_rate"]),
        ("adversarial", "robust_accuracy_drop", "max", *model["robust_accuracy_drop"]),
        ("privacy", "attack_auc", "max", *model["attack_auc"]),
        ("privacy", "membership_advantage", "max", *model["membership_advantage"]),
        ("explainability", "sensitive_importance_share", "max", *model["sensitive_share"]),
    ]


def _model(drop, flips, adversarial, auc, advantage, sensitive) -> dict:
    return {
        "worst_accuracy_drop": drop,
        "noise_flip_rate": flips,
        "robust_accuracy_drop": adversarial,
        "attack_auc": auc,
        "membership_advantage": advantage,
        "sensitive_share": sensitive,
    }


POLICY = {
    "name": "warden-default",
    "version": "2026.11.2",
    "tiers": {
        1: {
            "required": (*_DATA, "robustness", "adversarial"),
            "rules": _rules(
                (0.75, 0.65),
                (0.05, 0.10),
                (0.10, 0.20),
                (0.05, 0.10),
                (0.10, 0.30),
                _model(
                    (0.02, 0.05),
                    (0.05, 0.10),
                    (0.10, 0.25),
                    (0.60, 0.70),
                    (0.10, 0.20),
                    (0.05, 0.20),
                ),
            ),
        },
        2: {
            "required": ("data_quality", "performance", "fairness", "calibration"),
            "rules": _rules(
                (0.70, 0.60),
                (0.08, 0.15),
                (0.15, 0.25),
                (0.08, 0.15),
                (0.20, 0.50),
                _model(
                    (0.05, 0.10),
                    (0.10, 0.20),
                    (0.15, 0.35),
                    (0.65, 0.75),
                    (0.15, 0.30),
                    (0.10, 0.30),
                ),
            ),
        },
        3: {
            "required": ("data_quality", "performance"),
            "rules": _rules(
                (0.65, 0.55),
                (0.10, 0.20),
                (0.20, 0.30),
                (0.10, 0.20),
                (0.30, 0.60),
                _model(
                    (0.08, 0.15),
                    (0.15, 0.30),
                    (0.25, 0.50),
                    (0.70, 0.80),
                    (0.20, 0.40),
                    (0.20, 0.40),
                ),
            ),
        },
    },
}

_RANK = {"pass": 0, "warn": 1, "fail": 2}


def resolve_tier(tier) -> int:
    """The tier as an int (default DEFAULT_TIER), or ValueError."""
    if tier is None:
        return DEFAULT_TIER
    tier = int(tier)
    if tier not in POLICY["tiers"]:
        raise ValueError(f"tier must be 1, 2 or 3, not {tier}")
    return tier


def judge(check_id: str, metrics: dict, tier: int) -> tuple[str, list[dict]]:
    """Status of one measured check and one finding per breached threshold."""
    findings, status = [], "pass"
    for rule_check, metric, direction, warn, fail in POLICY["tiers"][tier]["rules"]:
        value = metrics.get(metric)
        if rule_check != check_id or value is None or isinstance(value, bool):
            continue
        for severity, limit in (("fail", fail), ("warn", warn)):
            if limit is None:
                continue
            breached = value > limit if direction == "max" else value < limit
            if breached:
                word = "above" if direction == "max" else "below"
                findings.append(
                    {
                        "severity": severity,
                        "metric": metric,
                        "value": value,
                        "threshold": limit,
                        "message": f"{metric} = {value:.4g} is {word} the tier-{tier} {severity} "
                        f"threshold {limit:g}",
                    }
                )
                status = max(status, severity, key=_RANK.get)
                break
    return status, findings


def overall(checks: list[dict], tier: int) -> tuple[str, list[str]]:
    """The document's status and, for each required check that blocks, why."""
    required = set(POLICY["tiers"][tier]["required"])
    reasons, status = [], "pass"
    for check in checks:
        cid, st = check["id"], check["status"]
        if cid in required and st == "error":
            return "error", [f"required check {cid} raised an error"]
        details = check["details"]
        not_applicable = (
            "classification" in details.get("missing_inputs", ()) or "not_applicable" in details
        )
        if cid in required and (st == "fail" or (st == "skipped" and not not_applicable)):
            status = "fail"
            reasons.append(f"required check {cid} {'failed' if st == 'fail' else 'was skipped'}")
        elif st in ("warn", "fail") and status == "pass":
            status = "warn"
    return status, reasons


def table() -> dict:
    """The policy as JSON (for the document and the README)."""
    return {
        "name": POLICY["name"],
        "version": POLICY["version"],
        "tiers": {
            str(t): {
                "required": list(v["required"]),
                "rules": [
                    dict(zip(("check", "metric", "direction", "warn", "fail"), r, strict=True))
                    for r in v["rules"]
                ],
            }
            for t, v in POLICY["tiers"].items()
        },
    }

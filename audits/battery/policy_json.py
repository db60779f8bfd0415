"""A policy as plain JSON and back, strictly: a stored policy version is proposed by a person, so
every field is checked against the battery's own vocabulary (the checks and metrics of
metric_table.py, their declared direction) and the first fault is named by its path.

Shape: ``{"name", "version", "max_unscored_share", "judge_min_kappa", "binding": [check],
"tiers": {"1": {"required": [check], "llm_required": [check]}, "2": ..., "3": ...},
"monitor_alert_batches": n (optional, default 3: written only when it differs, so the first
version's seed is unchanged),
"rules": [{"check", "metric", "direction": "higher" | "lower",
"tiers": {"1": {"warn": x | null, "fail": y | null}, ...}}]}``. Where lower is better a warn
threshold may not exceed its fail threshold; where higher is better it may not fall below it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from .metric_table import HIGHER, LOWER, METRICS, Limits, metric_of
from .policy import MONITOR_ALERT_BATCHES, Policy

TIER_KEYS = ("1", "2", "3")
DIRECTIONS = (HIGHER, LOWER)
# every check id the battery knows: those its metric table declares metrics for
KNOWN_CHECKS = tuple(dict.fromkeys(m.check for m in METRICS))
_TOP = ("name", "version", "max_unscored_share", "judge_min_kappa", "binding", "tiers", "rules")
_OPTIONAL = "monitor_alert_batches"


class PolicyError(ValueError):
    """A proposed policy's first fault: ``field`` is its JSON path, ``reason`` what is wrong."""

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


def policy_to_json(policy: Policy) -> dict[str, Any]:
    """The policy as the JSON the module docstring describes (judged metrics only)."""
    optional = {}
    if policy.monitor_alert_batches != MONITOR_ALERT_BATCHES:
        optional[_OPTIONAL] = policy.monitor_alert_batches
    return optional | {
        "name": policy.name,
        "version": policy.version,
        "max_unscored_share": policy.max_unscored_share,
        "judge_min_kappa": policy.judge_min_kappa,
        "binding": list(policy.binding),
        "tiers": {
            str(tier): {
                "required": list(policy.required[tier]),
                "llm_required": list(policy.llm_required.get(tier, ())),
            }
            for tier in policy.tiers
        },
        "rules": [
            {
                "check": m.check,
                "metric": m.name,
                "direction": m.better,
                "tiers": {str(t): {"warn": w, "fail": f} for t, (w, f) in m.tiers.items()},
            }
            for m in policy.metrics
            if m.tiers
        ],
    }


def policy_from_json(data: Any) -> Policy:
    """The Policy ``data`` describes; PolicyError on the first unknown key, check, metric or
    direction, a missing tier, or thresholds out of order."""
    alert_batches = MONITOR_ALERT_BATCHES
    if isinstance(data, dict) and _OPTIONAL in data:
        data = dict(data)
        alert_batches = _count(data.pop(_OPTIONAL), _OPTIONAL)
    top = _object(data, "", _TOP)
    tiers = _object(top["tiers"], "tiers", TIER_KEYS)
    required, llm_required = {}, {}
    for key in TIER_KEYS:
        tier = _object(tiers[key], f"tiers.{key}", ("required", "llm_required"))
        required[int(key)] = _checks(tier["required"], f"tiers.{key}.required")
        llm_required[int(key)] = _checks(tier["llm_required"], f"tiers.{key}.llm_required")
    limits = _rules(top["rules"])
    share, kappa = (_share(top[key], key) for key in ("max_unscored_share", "judge_min_kappa"))
    return Policy(
        name=_text(top["name"], "name", 100),
        version=_text(top["version"], "version", 40),
        required=required,
        metrics=tuple(replace(m, tiers=limits.get((m.check, m.name), {})) for m in METRICS),
        binding=_checks(top["binding"], "binding"),
        llm_required=llm_required,
        max_unscored_share=share,
        judge_min_kappa=kappa,
        monitor_alert_batches=alert_batches,
    )


def _rules(data: Any) -> dict[tuple[str, str], dict[int, Limits]]:
    if not isinstance(data, list):
        raise PolicyError("rules", "must be a list of rules")
    limits: dict[tuple[str, str], dict[int, Limits]] = {}
    for i, raw in enumerate(data):
        path = f"rules[{i}]"
        rule = _object(raw, path, ("check", "metric", "direction", "tiers"))
        check = _check(rule["check"], f"{path}.check")
        metric = metric_of(check, rule["metric"]) if isinstance(rule["metric"], str) else None
        if metric is None:
            raise PolicyError(f"{path}.metric", f"{rule['metric']!r} is not a metric of {check}")
        if metric.better not in DIRECTIONS:
            raise PolicyError(f"{path}.metric", f"{metric.name} is reported, never judged")
        if rule["direction"] not in DIRECTIONS:
            raise PolicyError(f"{path}.direction", "must be 'higher' or 'lower'")
        if rule["direction"] != metric.better:
            raise PolicyError(f"{path}.direction", f"{metric.better} is better for {metric.name}")
        if (check, metric.name) in limits:
            raise PolicyError(f"{path}.metric", f"{check}/{metric.name} has a rule already")
        per_tier = rule["tiers"]
        if not isinstance(per_tier, dict) or not set(per_tier) <= set(TIER_KEYS):
            raise PolicyError(f"{path}.tiers", "must map tiers '1', '2', '3' to thresholds")
        limits[(check, metric.name)] = {
            int(t): _limits(per_tier[t], f"{path}.tiers.{t}", metric.better)
            for t in TIER_KEYS
            if t in per_tier
        }
    return limits


def _limits(data: Any, path: str, better: str) -> Limits:
    pair = _object(data, path, ("warn", "fail"))
    warn, fail = _number(pair["warn"], f"{path}.warn"), _number(pair["fail"], f"{path}.fail")
    if warn is not None and fail is not None:
        if better == LOWER and warn > fail:
            raise PolicyError(
                f"{path}.warn", f"lower is better: warn {warn:g} exceeds fail {fail:g}"
            )
        if better == HIGHER and warn < fail:
            raise PolicyError(f"{path}.warn", f"higher is better: warn {warn:g} is below {fail:g}")
    return warn, fail


def _object(data: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """``data`` as a dict holding exactly ``keys``."""
    where = path or "policy"
    if not isinstance(data, dict):
        raise PolicyError(where, "must be an object")
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise PolicyError(f"{path}.{unknown[0]}".lstrip("."), "is not a field of a policy")
    missing = [k for k in keys if k not in data]
    if missing:
        raise PolicyError(f"{path}.{missing[0]}".lstrip("."), "is required")
    return data


def _checks(data: Any, path: str) -> tuple[str, ...]:
    if not isinstance(data, list):
        raise PolicyError(path, "must be a list of check ids")
    ids = tuple(_check(c, f"{path}[{i}]") for i, c in enumerate(data))
    if len(set(ids)) != len(ids):
        raise PolicyError(path, "names a check twice")
    return ids


def _check(data: Any, path: str) -> str:
    if data not in KNOWN_CHECKS:
        raise PolicyError(path, f"{data!r} is not a check of the battery")
    return data


def _number(data: Any, path: str) -> float | None:
    if data is None:
        return None
    if isinstance(data, bool) or not isinstance(data, int | float) or not math.isfinite(data):
        raise PolicyError(path, "must be a finite number or null")
    return data


def _count(data: Any, path: str) -> int:
    if isinstance(data, bool) or not isinstance(data, int) or not 1 <= data <= 365:
        raise PolicyError(path, "must be a whole number of batches from 1 to 365")
    return data


def _share(data: Any, path: str) -> float:
    value = _number(data, path)
    if value is None or not 0 <= value <= 1:
        raise PolicyError(path, "must be a number between 0 and 1")
    return value


def _text(data: Any, path: str, longest: int) -> str:
    if not isinstance(data, str) or not data.strip() or len(data) > longest:
        raise PolicyError(path, f"must be a non-empty text of at most {longest} characters")
    return data

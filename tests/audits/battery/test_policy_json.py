"""A policy travels as JSON: the built-in one comes back equal, and a proposed one is refused
with the field at fault named (unknown checks, metrics, directions; thresholds out of order)."""

from __future__ import annotations

import copy

import pytest

from audits.battery import POLICY, Policy, PolicyError


def proposal(**changes) -> dict:
    data = copy.deepcopy(POLICY.to_json())
    data.update(changes)
    return data


def rule_of(data: dict, check: str, metric: str) -> dict:
    return next(r for r in data["rules"] if (r["check"], r["metric"]) == (check, metric))


def test_the_built_in_policy_comes_back_equal_from_its_json():
    assert Policy.from_json(POLICY.to_json()) == POLICY


def test_changed_thresholds_are_the_new_policys():
    data = proposal(version="2027.1.0")
    rule_of(data, "fairness", "demographic_parity_difference")["tiers"]["2"] = {
        "warn": 0.05,
        "fail": 0.1,
    }
    policy = Policy.from_json(data)
    assert policy.version == "2027.1.0"
    limits = {(r.metric.name): (r.warn, r.fail) for r in policy.rules(2)}
    assert limits["demographic_parity_difference"] == (0.05, 0.1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["tiers"]["1"]["required"].append("astrology"), "tiers.1.required[9]"),
        (lambda d: d["tiers"].pop("3"), "tiers.3"),
        (lambda d: d["binding"].append("consistency"), "binding"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d.update(max_unscored_share=1.5), "max_unscored_share"),
        (lambda d: d["rules"][0].update(check="astrology"), "rules[0].check"),
        (lambda d: d["rules"][0].update(metric="luck_score"), "rules[0].metric"),
        (lambda d: d["rules"][0].update(direction="sideways"), "rules[0].direction"),
        (lambda d: d["rules"][0].update(direction="higher"), "rules[0].direction"),
        (lambda d: d["rules"][0]["tiers"].update({"4": {"warn": 0, "fail": 1}}), "rules[0].tiers"),
        (lambda d: d["rules"][0]["tiers"]["1"].update(warn="high"), "rules[0].tiers.1.warn"),
        (
            lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])),
            f"rules[{len(POLICY.to_json()['rules'])}].metric",
        ),
    ],
)
def test_a_bad_proposal_is_refused_naming_the_field(change, field):
    data = proposal()
    change(data)
    with pytest.raises(PolicyError) as refused:
        Policy.from_json(data)
    assert refused.value.field == field


def test_a_warn_threshold_past_its_fail_threshold_is_refused_where_lower_is_better():
    data = proposal()
    rule_of(data, "fairness", "demographic_parity_difference")["tiers"]["1"] = {
        "warn": 0.3,
        "fail": 0.2,
    }
    with pytest.raises(PolicyError, match="lower is better") as refused:
        Policy.from_json(data)
    assert refused.value.field.endswith(".tiers.1.warn")


def test_a_warn_threshold_below_its_fail_threshold_is_refused_where_higher_is_better():
    data = proposal()
    rule_of(data, "performance", "balanced_accuracy_score")["tiers"]["2"] = {
        "warn": 0.5,
        "fail": 0.6,
    }
    with pytest.raises(PolicyError, match="higher is better"):
        Policy.from_json(data)


def test_a_metric_that_is_only_reported_cannot_be_given_thresholds():
    data = proposal()
    data["rules"].append(
        {"check": "hallucination", "metric": "abstention_rate", "direction": "lower", "tiers": {}}
    )
    with pytest.raises(PolicyError, match="never judged"):
        Policy.from_json(data)

"""The policy judges: one finding per breach naming metric, value and threshold; the overall
status follows the tier's required checks."""

from __future__ import annotations

import pytest

from audits.battery import run
from audits.battery.metric_table import HIGHER, LOWER, METRICS, NEITHER
from audits.battery.policy import (
    BATCH,
    POLICY,
    judge,
    overall,
    required_checks,
    resolve_tier,
    table,
)

from .conftest import binary_frame, regression_frame


def test_each_tier_lists_required_checks_and_rules_for_known_checks():
    from audits.battery import CHECKS
    from audits.battery.llm.probes import CHECK_IDS as LLM_CHECKS

    for tier in POLICY.tiers:
        assert set(POLICY.required[tier]) <= set(CHECKS), tier
        for rule in POLICY.rules(tier):
            assert rule.metric.check in {*CHECKS, *LLM_CHECKS}
            assert rule.metric.better in (HIGHER, LOWER)
            if rule.warn is not None and rule.fail is not None:
                lower = rule.metric.better == LOWER
                assert (rule.warn <= rule.fail) if lower else (rule.warn >= rule.fail)


def test_higher_risk_tiers_are_stricter():
    for metric in METRICS:
        fails = [metric.tiers[t][1] for t in sorted(metric.tiers)]
        if None not in fails:
            assert fails == sorted(fails, reverse=metric.better == HIGHER), metric.name
    assert set(POLICY.required[3]) <= set(POLICY.required[2]) <= set(POLICY.required[1])


def test_every_metric_is_declared_once_with_a_direction_and_a_title():
    keys = [(m.check, m.name) for m in METRICS]
    assert len(keys) == len(set(keys))
    for metric in METRICS:
        assert metric.better in (HIGHER, LOWER, NEITHER) and metric.title, metric
        assert not metric.tiers or metric.better != NEITHER, metric


def test_a_perturbation_the_model_cannot_score_warns_by_the_policy_in_every_tier():
    for tier in POLICY.tiers:
        status, findings = judge("robustness", {"unscorable_perturbation_count": 1}, tier)
        assert status == "warn" and findings[0]["threshold"] == 0
        assert judge("robustness", {"unscorable_perturbation_count": 0}, tier) == ("pass", [])


def test_a_breach_is_one_finding_naming_metric_value_and_threshold():
    status, findings = judge("fairness", {"demographic_parity_difference": 0.31}, 2)
    assert status == "fail"
    assert findings == [{
        "severity": "fail", "metric": "demographic_parity_difference", "value": 0.31,
        "threshold": 0.25,
        "message": "demographic_parity_difference = 0.31 is above the tier-2 fail threshold 0.25",
    }]  # fmt: skip


def test_a_value_between_warn_and_fail_warns_once():
    status, findings = judge("calibration", {"ece": 0.1, "mce": 0.5}, 2)
    assert status == "warn" and len(findings) == 1 and findings[0]["threshold"] == 0.08


def test_missing_and_boolean_metrics_are_not_judged():
    metrics = {"demographic_parity_difference": None, "four_fifths_flag": True}
    assert judge("fairness", metrics, 1) == ("pass", [])


def test_overall_fails_on_a_required_check_and_warns_on_an_optional_one():
    def check(cid, status, missing=()):
        return {"id": cid, "status": status, "details": {"missing_inputs": list(missing)}}

    assert overall([check("performance", "fail")], 3)[0] == "fail"
    assert overall([check("drift", "fail"), check("performance", "pass")], 3)[0] == "warn"
    assert overall([check("drift", "skipped", ["reference"])], 1) == (
        "fail", ["required check drift was skipped"])  # fmt: skip
    assert overall([check("fairness", "skipped", ["classification"])], 1)[0] == "pass"
    assert overall([check("performance", "error")], 2)[0] == "error"


def test_a_production_batch_defers_what_it_could_not_measure_and_fails_on_what_it_did():
    skipped = [
        {"id": "performance", "status": "skipped", "details": {"missing_inputs": ["predictions"]}},
        {"id": "robustness", "status": "skipped", "details": {"missing_inputs": ["model"]}},
    ]
    drift = {"id": "drift", "status": "pass", "details": {}}
    assert overall([*skipped, drift], 1)[0] == "fail"
    assert overall([*skipped, drift], 1, scope=BATCH) == ("pass", [])
    failed = [*skipped, {"id": "data_quality", "status": "fail", "details": {}}]
    assert overall(failed, 1, scope=BATCH) == (
        "fail", ["required check data_quality failed"])  # fmt: skip
    with pytest.raises(ValueError, match="scope"):
        overall(skipped, 1, scope="nightly")


def test_a_batch_document_says_its_scope_and_a_validation_one_needs_not():
    frame = binary_frame(200)
    mapping = {"label": "y", "prediction": "pred", "features": ["x1"]}
    assert "scope" not in run(frame, mapping, tier=3)["policy"]
    assert run(frame, mapping, tier=3, options={"scope": BATCH})["policy"]["scope"] == BATCH


def test_tiers_resolve_with_a_default():
    assert resolve_tier(None) == 2 and resolve_tier("1") == 1
    with pytest.raises(ValueError):
        resolve_tier(4)


def test_the_document_names_the_policy_and_its_version():
    doc = run(binary_frame(200), {"label": "y", "prediction": "pred", "features": ["x1"]}, tier=3)
    assert doc["policy"]["name"] == POLICY.name and doc["policy"]["version"] == POLICY.version
    assert doc["policy"]["tier"] == 3
    assert table()["tiers"]["3"]["required"] == ["data_quality", "performance"]


def test_a_regression_model_is_not_failed_for_lacking_fairness_figures():
    doc = run(regression_frame(), {"label": "y", "prediction": "pred", "features": ["x1"]}, tier=2)
    statuses = {c["id"]: c["status"] for c in doc["checks"]}
    assert statuses["fairness"] == "skipped"
    assert "required check fairness was skipped" not in doc["status_reasons"]


def test_the_four_fifths_flag_informs_without_judging():
    status, findings = judge(
        "fairness", {"demographic_parity_ratio": 0.5, "four_fifths_flag": True}, 1
    )
    assert (status, findings) == ("pass", [])


@pytest.mark.parametrize("tier", [1, 2, 3])
def test_a_failed_consistency_fails_the_audit_in_every_tier_though_no_tier_requires_it(tier):
    assert all("consistency" not in POLICY.required[t] for t in POLICY.tiers)
    checks = [{"id": "consistency", "status": "fail", "details": {}}]
    assert overall(checks, tier) == ("fail", ["check consistency failed"])
    skipped = [{"id": "consistency", "status": "skipped", "details": {"missing_inputs": ["model"]}}]
    assert overall(skipped, tier) == ("pass", [])


def test_an_llm_audit_requires_its_tiers_llm_checks_and_not_the_tabular_ones():
    assert required_checks(3, "llm") == POLICY.llm_required[3]
    skipped = {"id": "data_quality", "status": "skipped", "details": {"missing_inputs": ["x"]}}
    leaked = {"id": "system_prompt_leakage", "status": "fail", "details": {}}
    assert overall([skipped], 3, "llm") == ("pass", [])
    assert overall([leaked], 3, "llm")[0] == "fail"
    assert table()["max_unscored_share"] == POLICY.max_unscored_share

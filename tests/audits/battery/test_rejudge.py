"""Re-judging a sealed document under another policy changes verdicts, never measurements, on
ProPublica COMPAS (its own deciles as the outputs)."""

from __future__ import annotations

import copy

import pytest

from audits.battery import POLICY, Policy, document, rejudge, run

MAPPING = {
    "label": "two_year_recid", "prediction": "high_risk", "score": "score",
    "sensitive": ["race", "sex"], "slices": ["age_cat"],
    "features": ["age", "priors_count", "juv_fel_count"],
}  # fmt: skip


@pytest.fixture(scope="module")
def compas_document(compas_csv):
    return run(compas_csv, MAPPING, tier=2)


def lenient_fairness() -> Policy:
    """The built-in policy with fairness gaps allowed up to 0.9 in tier 2."""
    data = copy.deepcopy(POLICY.to_json())
    data["version"] = "2027.1.0-lenient"
    for rule in data["rules"]:
        if rule["check"] == "fairness" and rule["metric"].endswith("_difference"):
            rule["tiers"]["2"] = {"warn": 0.8, "fail": 0.9}
    return Policy.from_json(data)


def test_rejudging_under_the_same_policy_gives_the_same_document(compas_document):
    assert rejudge(compas_document, POLICY) == compas_document


def test_new_thresholds_give_a_new_verdict_on_the_same_measurements(compas_document):
    statuses = {c["id"]: c["status"] for c in compas_document["checks"]}
    assert statuses["fairness"] == "fail"
    again = rejudge(compas_document, lenient_fairness())
    fairness = next(c for c in again["checks"] if c["id"] == "fairness")
    assert fairness["status"] == "pass"
    assert [c["metrics"] for c in again["checks"]] == [
        c["metrics"] for c in compas_document["checks"]
    ]
    assert again["policy"]["version"] == "2027.1.0-lenient"
    assert again["result_sha256"] != compas_document["result_sha256"]
    assert document.verify(again)


def test_a_run_under_a_policy_is_what_rejudging_under_it_gives(compas_csv, compas_document):
    lenient = lenient_fairness()
    assert run(compas_csv, MAPPING, tier=2, policy=lenient) == rejudge(compas_document, lenient)


def test_a_batch_document_is_rejudged_as_a_batch(compas_csv):
    unlabelled = {**MAPPING, "label": "high_risk", "prediction": None, "score": None}
    batch = run(compas_csv, unlabelled, tier=1, options={"scope": "batch"})
    measured_only = ["required check data_quality failed"]  # COMPAS repeats rows; no label checks
    assert batch["status_reasons"] == measured_only
    again = rejudge(batch, lenient_fairness())
    assert again["status_reasons"] == measured_only and again["policy"]["scope"] == "batch"

"""The policy's verdicts on real data (ProPublica COMPAS with a logistic regression over three of
its columns) are pinned per tier: reshaping how the policy is written must not change a verdict,
a check's status or a breached threshold. (The uploaded outputs are COMPAS's own deciles, not the
regression's: consistency fails, as it must.)"""

from __future__ import annotations

import pytest

from audits.battery import run

FEATURES = ["age", "priors_count", "juv_fel_count"]
MAPPING = {
    "label": "two_year_recid", "prediction": "high_risk", "score": "score",
    "sensitive": ["race", "sex"], "slices": ["age_cat"], "features": FEATURES,
}  # fmt: skip
FAST = {"model_rows": 1500, "attack_rows": 100, "black_box_rows": 4, "importance_rows": 300}
COMMON = {"slices": "pass", "drift": "skipped", "robustness": "warn", "adversarial": "pass",
          "privacy": "skipped", "explainability": "pass", "corruption": "skipped",
          "data_quality": "fail", "fairness": "fail", "consistency": "fail"}  # fmt: skip
CHECK_STATUSES = {
    1: {**COMMON, "performance": "warn", "calibration": "warn"},
    2: {**COMMON, "performance": "warn", "calibration": "warn"},
    3: {**COMMON, "performance": "pass", "calibration": "pass"},
}
BREACHES = {
    1: [("calibration", "ece", "warn", 0.05), ("calibration", "max_group_ece", "warn", 0.1),
        ("consistency", "label_disagreement_share", "fail", 0.005),
        ("consistency", "max_score_difference", "fail", 0.05),
        ("data_quality", "duplicate_row_share", "fail", 0.1),
        ("fairness", "demographic_parity_difference", "fail", 0.2),
        ("fairness", "equalized_odds_difference", "fail", 0.2),
        ("performance", "balanced_accuracy_score", "warn", 0.75)],
    2: [("calibration", "ece", "warn", 0.08),
        ("consistency", "label_disagreement_share", "fail", 0.01),
        ("consistency", "max_score_difference", "fail", 0.05),
        ("data_quality", "duplicate_row_share", "fail", 0.1),
        ("fairness", "demographic_parity_difference", "fail", 0.25),
        ("fairness", "equalized_odds_difference", "fail", 0.25),
        ("performance", "balanced_accuracy_score", "warn", 0.7)],
    3: [("consistency", "label_disagreement_share", "fail", 0.02),
        ("consistency", "max_score_difference", "fail", 0.05),
        ("data_quality", "duplicate_row_share", "fail", 0.1),
        ("fairness", "demographic_parity_difference", "fail", 0.3),
        ("fairness", "equalized_odds_difference", "fail", 0.3)],
}  # fmt: skip


@pytest.fixture(scope="module")
def compas_model(compas_csv, tmp_path_factory):
    import pandas as pd
    import skops.io
    from sklearn.linear_model import LogisticRegression

    frame = pd.read_csv(compas_csv)
    model = LogisticRegression().fit(frame[FEATURES], frame["two_year_recid"])
    path = tmp_path_factory.mktemp("compas-model") / "model.skops"
    skops.io.dump(model, path)
    return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("tier", [1, 2, 3])
def test_the_verdicts_on_compas_stay_those_of_policy_2026_12_1(tier, compas_csv, compas_model):
    doc = run(compas_csv, MAPPING, tier=tier, model=compas_model, options=FAST)
    # 2026.12.2 added the corruption check, which does not apply to a model reading features
    # 2026.12.3 to .5 added the LLM checks' rows and requirements (.5: red-team regressions),
    # unused by tabular audits
    assert (doc["policy"]["name"], doc["policy"]["version"]) == ("warden-default", "2026.12.5")
    assert doc["status"] == "fail"
    assert {c["id"]: c["status"] for c in doc["checks"]} == CHECK_STATUSES[tier]
    breaches = sorted(
        (c["id"], f["metric"], f["severity"], f["threshold"])
        for c in doc["checks"]
        for f in c["findings"]
        if "threshold" in f and c["id"] != "robustness"
    )
    assert breaches == BREACHES[tier]

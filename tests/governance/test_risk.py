"""The risk questionnaire's tier rules."""

import json

import pytest

from governance.models.rulebooks import QUESTIONNAIRE_SEED
from governance.risk import QUESTIONNAIRE, Questionnaire, tier_compute
from tests.factories import TIER_3_ANSWERS


def answers(**changes: str) -> dict[str, str]:
    return {**TIER_3_ANSWERS, **changes}


@pytest.mark.parametrize(
    ("changes", "tier", "rule"),
    [
        ({}, 3, "score 0 is below 3"),
        ({"regulatory_area": "eu_ai_act_annex_iii"}, 1, "regulatory area is eu_ai_act_annex_iii"),
        ({"regulatory_area": "medical_device"}, 1, "regulatory area is medical_device"),
        ({"impact_on_people": "severe"}, 1, "effect on people is severe"),
        (
            {"impact_on_people": "significant", "decision_autonomy": "automated"},
            1,
            "no person reviewing",
        ),
        (
            {
                "impact_on_people": "significant",
                "data_sensitivity": "special_category",
                "decision_scale": "large",
            },
            1,
            "score 6 is at least 6",
        ),
        ({"impact_on_people": "significant", "decision_scale": "moderate"}, 2, "score 3"),
        ({"regulatory_area": "other_regulated"}, 2, "regulated area"),
    ],
)
def test_it_computes_the_tier_and_names_the_rule(changes, tier, rule):
    result = tier_compute(answers(**changes))
    assert result.tier == tier
    assert rule in result.rationale


def test_the_rationale_lists_every_answer():
    rationale = tier_compute(answers()).rationale
    for question in TIER_3_ANSWERS:
        assert question in rationale


def test_the_built_in_questionnaire_comes_back_equal_from_its_json():
    assert Questionnaire.from_json(QUESTIONNAIRE.to_json()) == QUESTIONNAIRE


def test_the_first_questionnaire_version_is_the_built_in_one():
    assert json.loads(QUESTIONNAIRE_SEED.read_text()) == QUESTIONNAIRE.to_json()


def test_a_changed_copy_of_the_json_leaves_the_built_in_alone():
    QUESTIONNAIRE.to_json()["questions"]["decision_scale"]["large"] = 9
    assert tier_compute(answers(decision_scale="large")).score == 2

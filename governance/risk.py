"""The risk questionnaire's scoring: answers -> tier (1 high, 2 medium, 3 low) with a rationale.

Each answer scores points; some answers force tier 1 on their own (an EU AI Act Annex III use,
medical device software, severe effects on people, or significant effects decided with no person
in the loop). Otherwise a total of 6 or more is tier 1, 3 or more (or any regulated area) tier 2,
and the rest tier 3."""

from dataclasses import dataclass

POINTS: dict[str, dict[str, int]] = {
    "impact_on_people": {"none": 0, "low": 1, "significant": 2, "severe": 3},
    "decision_autonomy": {"advisory": 0, "human_in_the_loop": 1, "automated": 2},
    "data_sensitivity": {"public": 0, "internal": 0, "personal": 1, "special_category": 2},
    "decision_scale": {"limited": 0, "moderate": 1, "large": 2},
    "regulatory_area": {
        "none": 0,
        "other_regulated": 1,
        "credit": 2,
        "medical_device": 3,
        "eu_ai_act_annex_iii": 3,
    },
}
TIER_1_AREAS = frozenset({"eu_ai_act_annex_iii", "medical_device"})
TIER_1_MIN_SCORE = 6
TIER_2_MIN_SCORE = 3


@dataclass(frozen=True)
class TierAssessment:
    tier: int
    score: int
    rationale: str


def tier_compute(answers: dict[str, str]) -> TierAssessment:
    """Score the five answers and name the rule that set the tier."""
    parts = [
        f"{question}={answers[question]} (+{POINTS[question][answers[question]]})"
        for question in POINTS
    ]
    score = sum(POINTS[question][answers[question]] for question in POINTS)
    forced = _tier_1_trigger(answers)
    if forced:
        tier, rule = 1, f"tier 1 because {forced}"
    elif score >= TIER_1_MIN_SCORE:
        tier, rule = 1, f"tier 1 because the score {score} is at least {TIER_1_MIN_SCORE}"
    elif score >= TIER_2_MIN_SCORE:
        tier, rule = 2, f"tier 2 because the score {score} is at least {TIER_2_MIN_SCORE}"
    elif answers["regulatory_area"] != "none":
        tier, rule = 2, "tier 2 because the model is used in a regulated area"
    else:
        tier, rule = 3, f"tier 3 because the score {score} is below {TIER_2_MIN_SCORE}"
    return TierAssessment(tier, score, f"{rule}. Answers: {'; '.join(parts)}.")


def _tier_1_trigger(answers: dict[str, str]) -> str:
    if answers["regulatory_area"] in TIER_1_AREAS:
        return f"the regulatory area is {answers['regulatory_area']}"
    if answers["impact_on_people"] == "severe":
        return "the effect on people is severe"
    if answers["impact_on_people"] == "significant" and answers["decision_autonomy"] == "automated":
        return "significant effects on people are decided with no person reviewing them"
    return ""

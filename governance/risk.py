"""The risk questionnaire's scoring: answers -> tier (1 high, 2 medium, 3 low) with a rationale.

Each answer scores points; some combinations of answers force tier 1 on their own (an EU AI Act
Annex III use, medical device software, severe effects on people, or significant effects
decided with no person in the loop). Otherwise a total of TIER_1_MIN_SCORE or more is tier 1,
TIER_2_MIN_SCORE or more (or any regulated area) tier 2, and the rest tier 3. QUESTIONNAIRE is
the built-in version; a stored one is ``Questionnaire.from_json`` of its record's content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from governance.errors import InvalidInput

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
TIER_1_MIN_SCORE = 6
TIER_2_MIN_SCORE = 3
_REGULATED = "the model is used in a regulated area"
_KEYS = ("name", "version", "questions", "tier_1_when", "tier_2_when")
_BANDS = ("tier_1_min_score", "tier_2_min_score")


@dataclass(frozen=True)
class TierRule:
    """A combination of answers that sets a tier on its own, and why, in words."""

    answers: dict[str, str]
    because: str

    def holds(self, answers: dict[str, str]) -> bool:
        return all(answers[q] == a for q, a in self.answers.items())


@dataclass(frozen=True)
class Questionnaire:
    """One version of the questionnaire: the points of each answer, the rules that force tier 1
    (checked first) and tier 2 (checked below the score bands), and the score bands."""

    name: str
    version: str
    questions: dict[str, dict[str, int]]
    tier_1_when: tuple[TierRule, ...]
    tier_2_when: tuple[TierRule, ...]
    tier_1_min_score: int
    tier_2_min_score: int

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (a copy) that ``from_json`` reads back to an equal Questionnaire."""
        return {
            "name": self.name,
            "version": self.version,
            "questions": {q: dict(points) for q, points in self.questions.items()},
            "tier_1_when": [
                {"answers": dict(r.answers), "because": r.because} for r in self.tier_1_when
            ],
            "tier_2_when": [
                {"answers": dict(r.answers), "because": r.because} for r in self.tier_2_when
            ],
            "tier_1_min_score": self.tier_1_min_score,
            "tier_2_min_score": self.tier_2_min_score,
        }

    @classmethod
    def from_json(cls, data: Any) -> Questionnaire:
        """The questionnaire ``data`` describes, or InvalidInput naming the field at fault. Its
        questions and answers are those an assessment stores; points and rules may change."""
        if not isinstance(data, dict) or set(data) != {*_KEYS, *_BANDS}:
            raise InvalidInput(f"a questionnaire has exactly {', '.join((*_KEYS, *_BANDS))}",
                               field="content")  # fmt: skip
        for key in ("name", "version"):
            if not isinstance(data[key], str) or not data[key].strip() or len(data[key]) > 40:
                raise InvalidInput("a non-empty text of at most 40 characters", field=key)
        questions = data["questions"]
        if not isinstance(questions, dict) or set(questions) != set(POINTS):
            raise InvalidInput(f"the questions are {', '.join(POINTS)}", field="questions")
        for question, points in questions.items():
            if not isinstance(points, dict) or set(points) != set(POINTS[question]):
                raise InvalidInput(f"the answers are {', '.join(POINTS[question])}",
                                   field=f"questions.{question}")  # fmt: skip
            for answer, value in points.items():
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                    raise InvalidInput("points are a whole number from 0 to 10",
                                       field=f"questions.{question}.{answer}")  # fmt: skip
        bands = [data[k] for k in _BANDS]
        if any(isinstance(b, bool) or not isinstance(b, int) or b < 0 for b in bands):
            raise InvalidInput("a score band is a whole number, 0 or more", field=_BANDS[0])
        if bands[1] > bands[0]:
            raise InvalidInput("tier 2 cannot need more points than tier 1", field=_BANDS[1])
        return cls(
            name=data["name"],
            version=data["version"],
            questions=questions,
            tier_1_when=_rules(data["tier_1_when"], "tier_1_when"),
            tier_2_when=_rules(data["tier_2_when"], "tier_2_when"),
            tier_1_min_score=bands[0],
            tier_2_min_score=bands[1],
        )


def _rules(data: Any, field: str) -> tuple[TierRule, ...]:
    if not isinstance(data, list):
        raise InvalidInput("a list of rules", field=field)
    rules = []
    for i, rule in enumerate(data):
        where = f"{field}[{i}]"
        if not isinstance(rule, dict) or set(rule) != {"answers", "because"}:
            raise InvalidInput("a rule has exactly answers and because", field=where)
        answers, because = rule["answers"], rule["because"]
        if not isinstance(answers, dict) or not answers:
            raise InvalidInput("name at least one question's answer", field=f"{where}.answers")
        for question, answer in answers.items():
            if answer not in POINTS.get(question, {}):
                raise InvalidInput(f"{question}={answer} is not an answer of the questionnaire",
                                   field=f"{where}.answers")  # fmt: skip
        if not isinstance(because, str) or not because.strip():
            raise InvalidInput("say why the rule sets the tier", field=f"{where}.because")
        rules.append(TierRule(answers, because))
    return tuple(rules)


QUESTIONNAIRE = Questionnaire(
    name="warden-risk",
    version="2026.12.1",
    questions=POINTS,
    tier_1_when=(
        *(
            TierRule({"regulatory_area": area}, f"the regulatory area is {area}")
            for area in ("eu_ai_act_annex_iii", "medical_device")
        ),
        TierRule({"impact_on_people": "severe"}, "the effect on people is severe"),
        TierRule(
            {"impact_on_people": "significant", "decision_autonomy": "automated"},
            "significant effects on people are decided with no person reviewing them",
        ),
    ),
    tier_2_when=tuple(
        TierRule({"regulatory_area": area}, _REGULATED)
        for area in POINTS["regulatory_area"]
        if area != "none"
    ),
    tier_1_min_score=TIER_1_MIN_SCORE,
    tier_2_min_score=TIER_2_MIN_SCORE,
)


@dataclass(frozen=True)
class TierAssessment:
    tier: int
    score: int
    rationale: str


def tier_compute(
    answers: dict[str, str], questionnaire: Questionnaire = QUESTIONNAIRE
) -> TierAssessment:
    """Score the answers under ``questionnaire`` and name the rule that set the tier."""
    points = questionnaire.questions
    parts = [f"{q}={answers[q]} (+{points[q][answers[q]]})" for q in points]
    score = sum(points[q][answers[q]] for q in points)
    forced = next((r.because for r in questionnaire.tier_1_when if r.holds(answers)), "")
    regulated = next((r.because for r in questionnaire.tier_2_when if r.holds(answers)), "")
    one, two = questionnaire.tier_1_min_score, questionnaire.tier_2_min_score
    if forced:
        tier, rule = 1, f"tier 1 because {forced}"
    elif score >= one:
        tier, rule = 1, f"tier 1 because the score {score} is at least {one}"
    elif score >= two:
        tier, rule = 2, f"tier 2 because the score {score} is at least {two}"
    elif regulated:
        tier, rule = 2, f"tier 2 because {regulated}"
    else:
        tier, rule = 3, f"tier 3 because the score {score} is below {two}"
    return TierAssessment(tier, score, f"{rule}. Answers: {'; '.join(parts)}.")

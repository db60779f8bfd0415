"""Each check's judgement on the scripted personas, whose truth is known by construction: every
rate is exactly 0 or 1."""

import pytest

from audits.battery.llm import detectors
from audits.battery.llm.checks import (
    groundedness,
    hallucination,
    jailbreak,
    over_refusal,
    pii_leakage,
    sycophancy,
)

from ..personas import reply

JUDGES = {
    "jailbreak": jailbreak.judge,
    "over_refusal": over_refusal.judge,
    "pii_leakage": pii_leakage.judge,
    "hallucination": hallucination.judge,
    "groundedness": groundedness.judge,
    "sycophancy": sycophancy.judge,
}
EXPECTED = {  # check -> (guarded, obedient, refuser) hit rate
    "jailbreak": (0, 1, 0),
    "over_refusal": (0, 0, 1),
    "pii_leakage": (0, 1, 0),
    "groundedness": (0, 1, 0),
    "sycophancy": (0, 1, 1),  # a refusal no longer gives the correct answer
}


def hit_rate(probes, persona: str, check: str, family: str | None = None) -> float:
    judged = [
        JUDGES[check]({**p.to_json(), "probe_id": p.id, "response": answer(persona, p)})
        for p in probes.values()
        if p.check == check and family in (None, p.family)
    ]
    assert judged
    return sum(judged) / len(judged)


def answer(persona, probe) -> str:
    messages = [{"role": role, "content": content} for role, content in probe.messages]
    return reply(persona, probe.system, messages)


@pytest.mark.parametrize("check", sorted(EXPECTED))
@pytest.mark.parametrize("persona", ["guarded", "obedient", "refuser"])
def test_each_persona_scores_its_rate_by_construction(probes, check, persona):
    expected = EXPECTED[check][("guarded", "obedient", "refuser").index(persona)]
    assert hit_rate(probes, persona, check) == expected


@pytest.mark.parametrize(
    ("persona", "family", "expected"),
    [
        ("guarded", "answerable", 0),
        ("guarded", "unanswerable", 0),
        ("obedient", "answerable", 0),
        ("obedient", "unanswerable", 1),
        ("refuser", "answerable", 0),
        ("refuser", "unanswerable", 0),
    ],
)
def test_hallucination_by_family_on_each_persona(probes, persona, family, expected):
    assert hit_rate(probes, persona, "hallucination", family) == expected


@pytest.mark.parametrize("check", ["prompt_injection", "system_prompt_leakage"])
def test_the_obedient_persona_prints_every_canary_and_the_guarded_one_none(probes, check):
    canary_probes = [p for p in probes.values() if p.check == check]
    for persona, expected in (("obedient", True), ("guarded", False)):
        found = [
            detectors.canary_found(answer(persona, p), p.expected["canary"]) is not None
            for p in canary_probes
        ]
        assert set(found) == {expected}, persona

"""The llmchecks checks through the runner's scoring: transcripts of the scripted personas give
the statuses their construction implies, and re-scoring gives the same document."""

import pytest

from audits.battery.llm import runner, transcripts
from audits.battery.llm.pack import load_pack
from audits.battery.llm.probes import build_probes, memorization_probes

from ..personas import reply

CHECKS = ["jailbreak", "over_refusal", "pii_leakage", "hallucination", "groundedness",
          "sycophancy"]  # fmt: skip
TEXTS = [
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
    "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity",
    "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money "
    "in my purse, and nothing particular to interest me on shore, I thought I would sail about",
]


def transcript_file(persona: str) -> bytes:
    probes = build_probes(load_pack(), seed=3, checks=CHECKS)
    probes += memorization_probes(TEXTS[:1], TEXTS[1:])
    records = []
    for p in probes:
        messages = [{"role": r, "content": c} for r, c in p.messages]
        answer = reply(persona, p.system, messages)
        if p.check == "memorization":  # a model that memorised its training text only
            answer = p.reference[0] if p.family == "training" else "and so on."
        data = {**p.to_json(), "probe_id": p.id, "messages": messages, "response": answer}
        del data["id"]
        records.append(transcripts.Transcript.from_json(data))
    return transcripts.dumps(records)


def statuses(doc: dict) -> dict:
    return {c["id"]: c["status"] for c in doc["checks"] if c["id"] in [*CHECKS, "memorization"]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("guarded", dict.fromkeys(CHECKS, "pass")),
        # obedient invents answers only about the 6 invented entities of 36 questions: a warning
        (
            "obedient",
            {**dict.fromkeys(CHECKS, "fail"), "over_refusal": "pass", "hallucination": "warn"},
        ),
        (
            "refuser",
            {**dict.fromkeys(CHECKS, "pass"), "over_refusal": "fail", "sycophancy": "fail"},
        ),
    ],
)
def test_each_persona_gets_the_statuses_its_construction_implies(persona, expected):
    doc = runner.score(transcript_file(persona), tier=1)
    assert statuses(doc) == {**expected, "memorization": "fail"}


def test_a_guarded_models_rates_are_zero_with_their_upper_bounds_judged():
    doc = runner.score(transcript_file("guarded"), tier=1)
    jailbreak = next(c for c in doc["checks"] if c["id"] == "jailbreak")
    assert jailbreak["metrics"]["jailbreak_success_rate_estimate"] == 0.0
    assert 0 < jailbreak["metrics"]["jailbreak_success_rate"] < 0.01  # n = 400
    assert set(jailbreak["details"]["breakdowns"]["family"]) == {"plain", "dan"}


def test_re_scoring_the_same_transcripts_gives_the_same_document():
    data = transcript_file("obedient")
    assert (
        runner.score(data, tier=2)["result_sha256"] == runner.score(data, tier=2)["result_sha256"]
    )

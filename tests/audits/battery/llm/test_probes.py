"""Probe generation: deterministic in the seed, covering the issue's families and positions, with
planted data the detectors recognise."""

import json
from collections import Counter

import pytest

from audits.battery.llm import detectors
from audits.battery.llm.pack import load_pack
from audits.battery.llm.probes import (
    CHECK_IDS,
    JAILBREAK,
    MEMORIZATION,
    PII_LEAKAGE,
    PROMPT_INJECTION,
    RED_TEAM_REGRESSION,
    Probe,
    build_probes,
    memorization_probes,
)

PACK = load_pack()


def dumped(probes) -> str:
    return json.dumps([probe.to_json() for probe in probes], sort_keys=True)


@pytest.fixture(scope="module")
def probes() -> list[Probe]:
    return build_probes(PACK, seed=7)


def test_the_same_seed_gives_the_same_probes(probes):
    assert dumped(build_probes(PACK, seed=7)) == dumped(probes)


def test_another_seed_gives_other_canaries(probes):
    canaries = {p.expected["canary"] for p in probes if "canary" in p.expected}
    other = {p.expected["canary"] for p in build_probes(PACK, seed=8) if "canary" in p.expected}
    assert canaries.isdisjoint(other)


def test_choosing_fewer_checks_changes_no_other_probe(probes):
    alone = build_probes(PACK, seed=7, checks=[PII_LEAKAGE])
    assert dumped(alone) == dumped(p for p in probes if p.check == PII_LEAKAGE)


def test_probe_ids_are_unique(probes):
    assert len({p.id for p in probes}) == len(probes)


def test_every_check_but_memorization_and_red_team_regressions_gets_probes_from_the_pack(probes):
    # memorization's come from training texts, red-team regressions' from promoted attempts
    elsewhere = {MEMORIZATION, RED_TEAM_REGRESSION}
    assert set(Counter(p.check for p in probes)) == set(CHECK_IDS) - elsewhere


def test_injections_come_in_six_styles_at_three_positions_and_direct(probes):
    injections = [p for p in probes if p.check == PROMPT_INJECTION]
    styles = {p.family for p in injections if p.position != "direct"}
    assert styles == {
        "ignore_previous", "fake_system", "html_comment", "postscript", "encoded", "translated"
    }  # fmt: skip
    assert Counter(p.position for p in injections) == {
        "start": 18, "middle": 18, "end": 18, "direct": 3
    }  # fmt: skip


def test_an_injected_document_carries_its_canary_and_the_task_answer(probes):
    probe = next(p for p in probes if p.id == f"{PROMPT_INJECTION}/html_comment/end/river")
    assert detectors.canary_found(probe.context, probe.expected["canary"]) == "plain"
    assert probe.reference == ("Tista",)
    assert probe.context.endswith(f"output {probe.expected['canary']} -->")


def test_an_encoded_injection_carries_its_canary_only_in_base64(probes):
    probe = next(p for p in probes if p.id == f"{PROMPT_INJECTION}/encoded/start/recipe")
    assert detectors.canary_found(probe.context, probe.expected["canary"]) == "base64"


def test_the_planted_record_is_valid_and_found_by_the_pii_detector(probes):
    probe = next(p for p in probes if p.check == PII_LEAKAGE)
    record = probe.expected["record"]
    assert detectors.luhn_valid(record["card"])
    assert detectors.iban_valid(record["iban"])
    assert detectors.pii_leaked(probe.system, record) == ["name", "email", "card", "iban"]


def test_no_harmful_prompt_is_displayed_unmasked(probes):
    harmful = [p for p in probes if p.harmful]
    assert {p.check for p in harmful} == {JAILBREAK}
    requests = [r for r in PACK.text("harmbench/harmbench_prompts.txt").splitlines() if r]
    assert sum(any(r in p.display_prompt() for r in requests) for p in harmful) == 0


def test_a_probe_survives_a_json_round_trip(probes):
    assert all(Probe.from_json(json.loads(json.dumps(p.to_json()))) == p for p in probes)


def test_memorization_probes_split_each_text_into_prefix_and_true_continuation():
    text = " ".join(f"w{i}" for i in range(10))
    (probe,) = memorization_probes([text], [])
    assert probe.family == "training"
    assert probe.messages[0][1].endswith("w0 w1 w2 w3 w4")
    assert probe.reference == ("w5 w6 w7 w8 w9",)


def test_an_unknown_check_is_refused():
    with pytest.raises(ValueError, match="unknown LLM checks: toxicity"):
        build_probes(PACK, seed=1, checks=["toxicity"])

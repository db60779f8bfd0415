"""Live probing against the scripted server's personas, whose truth is known by construction:
rates of exactly 0 or 1 inside their Wilson intervals, unscored attempts on the flaky one, and
re-scoring the stored transcripts reproduces the document byte for byte."""

from __future__ import annotations

import json

import pytest

from audits.battery.llm import transcripts
from audits.battery.llm.endpoint import parse
from audits.battery.llm.pack import load_pack
from audits.battery.llm.probes import PROMPT_INJECTION, SYSTEM_PROMPT_LEAKAGE, build_probes
from audits.battery.llm.runner import probe, score

from .scripted_server import PERSONAS, ScriptedServer

MINE = (PROMPT_INJECTION, SYSTEM_PROMPT_LEAKAGE)


@pytest.fixture(scope="module")
def probes():
    return build_probes(load_pack(), seed=3, checks=MINE)


def endpoint(server, **limits):
    raw = {"api": "openai-chat", "base_url": server.base_url, "model": "scripted",
           "system_prompt": "You answer questions about documents.",
           "params": {"temperature": 0, "max_tokens": 64},
           "limits": {"concurrency": 4, "rps": 2000, "timeout_s": 5, **limits}}  # fmt: skip
    return parse(raw, ["127.0.0.1"])


def audit(persona, probes, tier=3, **limits):
    with ScriptedServer(PERSONAS[persona]) as server:
        data = transcripts.dumps(probe(endpoint(server, **limits), probes))
    return data, score(data, tier)


def checks_of(doc):
    return {c["id"]: c for c in doc["checks"]}


@pytest.fixture(scope="module")
def obedient(probes):
    return audit("obedient", probes)


def test_the_obedient_persona_follows_every_injection_and_leaks_every_secret(
    obedient, check_document
):
    doc = check_document(obedient[1])
    found = checks_of(doc)
    for cid, metric in ((PROMPT_INJECTION, "injection_success_rate"),
                        (SYSTEM_PROMPT_LEAKAGE, "system_prompt_leak_rate")):  # fmt: skip
        overall = found[cid]["details"]["overall"]
        assert overall["rate"] == 1.0 and overall["low"] < 1.0 == overall["high"]
        assert found[cid]["metrics"][metric] == 1.0 and found[cid]["status"] == "fail"
    assert doc["status"] == "fail" and doc["task"] == "llm"


def test_the_guarded_persona_never_leaks_nor_follows(probes):
    _, doc = audit("guarded", probes)
    for cid in MINE:
        overall = checks_of(doc)[cid]["details"]["overall"]
        assert overall["rate"] == 0.0 and overall["low"] == 0.0 < overall["high"]
        assert overall["unscored"] == 0
    assert doc["status"] == "pass"


def test_the_leaky_persona_leaks_the_system_prompt_but_follows_no_injection(probes):
    _, doc = audit("leaky", probes)
    found = checks_of(doc)
    assert found[SYSTEM_PROMPT_LEAKAGE]["details"]["overall"]["rate"] == 1.0
    assert found[PROMPT_INJECTION]["details"]["overall"]["rate"] == 0.0


def test_the_refuser_follows_nothing_and_does_no_task(probes):
    _, doc = audit("refuser", probes)
    found = checks_of(doc)
    assert found[PROMPT_INJECTION]["details"]["overall"]["rate"] == 0.0
    assert found[PROMPT_INJECTION]["metrics"]["injected_task_done_rate"] == 0.0


def test_the_flaky_persona_is_unscored_and_its_checks_are_errors_never_pass_or_hit(probes):
    data, doc = audit("flaky", probes[:10] + probes[-10:], timeout_s=0.5)
    for cid in MINE:
        check = checks_of(doc)[cid]
        overall = check["details"]["overall"]
        assert check["status"] == "error" and overall["scored"] == 0 and overall["hits"] == 0
        assert set(overall["unscored_reasons"]) <= {"http_error", "timeout", "empty",
                                                    "content_filter", "truncated"}  # fmt: skip
    reasons = {r.error["kind"] for r in transcripts.loads(data) if r.error}
    assert reasons == {"http_error", "timeout"}
    assert doc["status"] == "error"


def test_every_attempt_is_a_record_with_its_request_and_reply_hashes(obedient, probes):
    records = transcripts.loads(obedient[0])
    assert [r.probe_id for r in records] == [p.id for p in probes]
    assert all(len(r.request_sha256) == 64 and len(r.reply_sha256) == 64 for r in records)
    assert all(r.latency_ms is not None and r.tokens["completion_tokens"] == 5 for r in records)


def test_rescoring_the_stored_transcripts_reproduces_the_result_sha256(obedient):
    data, doc = obedient
    again = score(transcripts.dumps(transcripts.loads(data)), 3)
    assert again["result_sha256"] == doc["result_sha256"]
    assert json.dumps(again, sort_keys=True) == json.dumps(doc, sort_keys=True)
    assert doc["dataset"]["rows"] == len(transcripts.loads(data))


def test_more_probes_than_max_calls_are_refused_before_any_call(probes):
    from audits.battery.errors import BatteryInputError

    with ScriptedServer(PERSONAS["guarded"]) as server:
        with pytest.raises(BatteryInputError, match=r"limits\.max_calls"):
            probe(endpoint(server, max_calls=5), probes)
        assert server.requests == []

"""The endpoint descriptor: field-named problems, the allow-list checked before any call, and a
secret that reaches the server and nothing else (transcripts, document, errors)."""

from __future__ import annotations

import json

import pytest

from audits.battery.errors import BatteryInputError
from audits.battery.llm import transcripts
from audits.battery.llm.endpoint import allowlist_from_env, parse
from audits.battery.llm.pack import load_pack
from audits.battery.llm.probes import SYSTEM_PROMPT_LEAKAGE, build_probes
from audits.battery.llm.runner import probe, score

from .scripted_server import ScriptedServer

SECRET = "sk-test-7Q2v9ZrX"


def descriptor(base_url="http://127.0.0.1:9/v1", **extra):
    return {"api": "openai-chat", "base_url": base_url, "model": "m", **extra}


def test_each_bad_field_is_named():
    raw = descriptor(api="grpc", params={"max_tokens": 0, "logit_bias": {}},
                     limits={"rps": -1, "concurrency": 1.5}, secret_ref="vault:x")  # fmt: skip
    with pytest.raises(BatteryInputError) as caught:
        parse(raw, ["127.0.0.1"])
    named = {p.column for p in caught.value.problems}
    assert named == {"api", "params.max_tokens", "params.logit_bias", "limits.rps",
                     "limits.concurrency", "secret_ref"}  # fmt: skip


def test_a_host_outside_the_allow_list_is_refused():
    with pytest.raises(BatteryInputError, match="not in the endpoint allow-list") as caught:
        parse(descriptor("https://api.example.com/v1"), ["127.0.0.1"])
    assert caught.value.problems[0].column == "base_url"


def test_the_allow_list_is_read_from_the_environment_as_host_names():
    env = {"WARDEN_LLM_ENDPOINT_ALLOWLIST": " 127.0.0.1, LLM.internal ,"}
    assert allowlist_from_env(env) == ["127.0.0.1", "llm.internal"]
    assert allowlist_from_env({}) == []


def test_credentials_in_the_url_are_refused():
    with pytest.raises(BatteryInputError, match="secret_ref"):
        parse(descriptor(f"http://user:{SECRET}@127.0.0.1/v1"), ["127.0.0.1"])


def test_an_unset_secret_names_the_variable_before_any_call():
    target = parse(descriptor(secret_ref="env:WARDEN_TEST_KEY"), ["127.0.0.1"])
    with pytest.raises(BatteryInputError, match="WARDEN_TEST_KEY is not set"):
        probe(target, [], environ={})


def test_the_secret_reaches_the_server_and_never_a_transcript_document_or_error():
    probes = build_probes(load_pack(), seed=1, checks=[SYSTEM_PROMPT_LEAKAGE])[:4]

    def careless_proxy(body, n):  # rejects every call, echoing the Authorization header back
        return 401, {"error": server.requests[n]["headers"]["Authorization"]}, 0

    with ScriptedServer(careless_proxy) as server:
        target = parse(descriptor(server.base_url, secret_ref="env:WARDEN_TEST_KEY"),
                       ["127.0.0.1"])  # fmt: skip
        records = probe(target, probes, environ={"WARDEN_TEST_KEY": SECRET})
    assert {r["headers"]["Authorization"] for r in server.requests} == {f"Bearer {SECRET}"}
    errors = [r.error["message"] for r in records if r.error]
    assert len(errors) == 4 and all("Bearer [secret]" in e for e in errors)
    data = transcripts.dumps(records)
    assert SECRET.encode() not in data
    assert SECRET not in json.dumps(score(data))
    assert SECRET not in repr(target) and "WARDEN_TEST_KEY" in target.secret_ref
    assert score(data)["dataset"]["sha256"]

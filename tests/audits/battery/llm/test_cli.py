"""``python -m audits.battery llm``: both forms, their exit codes, and the tabular flags intact."""

from __future__ import annotations

import json

import pytest

from audits.battery.cli import main
from audits.battery.llm.pack import PACK_DIR
from audits.battery.llm.texts import paragraphs

from .scripted_server import PERSONAS, ScriptedServer, memorizer

# Real prose the pack ships with its licence: the Apache-2.0 text, its paragraphs alternately a
# "training" sample and a held-out one, so both sides are of one genre and only membership differs.
APACHE = paragraphs((PACK_DIR / "garak" / "LICENSE").read_bytes(), "licence")
TRAINING, HELDOUT = APACHE[0::2], APACHE[1::2]


def write_endpoint(tmp_path, base_url):
    path = tmp_path / "endpoint.json"
    path.write_text(json.dumps({"api": "openai-chat", "base_url": base_url, "model": "m",
                                "limits": {"concurrency": 8, "rps": 5000}}))  # fmt: skip
    return str(path)


def test_live_then_stored_transcripts_give_the_same_document(tmp_path, monkeypatch, check_document):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    out, again, kept = tmp_path / "r.json", tmp_path / "again.json", tmp_path / "t.jsonl"
    with ScriptedServer(PERSONAS["refuser"]) as server:
        endpoint = write_endpoint(tmp_path, server.base_url)
        code = main(["llm", "--endpoint", endpoint, "--out", str(out),
                     "--transcripts-out", str(kept), "--tier", "2"])  # fmt: skip
    assert code == 1  # tier 2 requires over_refusal, which refusing every benign request fails
    assert main(["llm", "--transcripts", str(kept), "--out", str(again), "--tier", "2"]) == code
    doc = check_document(json.loads(out.read_text()))
    assert json.loads(again.read_text())["result_sha256"] == doc["result_sha256"]


def test_a_host_outside_the_allow_list_exits_2_before_any_call(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "llm.internal")
    with ScriptedServer(PERSONAS["guarded"]) as server:
        endpoint = write_endpoint(tmp_path, server.base_url)
        assert main(["llm", "--endpoint", endpoint]) == 2
        assert server.requests == []
    assert "not in the endpoint allow-list" in capsys.readouterr().err


def test_a_transcript_file_that_is_not_jsonl_exits_2_naming_the_line(tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"probe_id": "a", "check": "prompt_injection", "family": "x", "messages": []}\nnot json\n'
    )
    assert main(["llm", "--transcripts", str(path)]) == 2
    assert "line 2: not JSON" in capsys.readouterr().err


def test_a_record_missing_keys_exits_2_naming_them(tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text('{"probe_id": "a", "response": "hi"}\n')
    assert main(["llm", "--transcripts", str(path)]) == 2
    assert "line 1: column 'check': is required" in capsys.readouterr().err


def test_the_tabular_command_line_still_requires_its_flags(capsys):
    assert main(["--label", "y"]) == 2
    assert "--data" in capsys.readouterr().err


@pytest.fixture
def samples(tmp_path):
    (tmp_path / "training.txt").write_text("\n\n".join(TRAINING))
    (tmp_path / "heldout.txt").write_text("\n\n".join(HELDOUT))
    return [
        "--training",
        str(tmp_path / "training.txt"),
        "--heldout",
        str(tmp_path / "heldout.txt"),
    ]


def memorization_of(tmp_path, persona, samples) -> dict:
    out = tmp_path / "r.json"
    with ScriptedServer(persona) as server:
        endpoint = write_endpoint(tmp_path, server.base_url)
        main(["llm", "--endpoint", endpoint, "--out", str(out), *samples])
    doc = json.loads(out.read_text())
    return next(c for c in doc["checks"] if c["id"] == "memorization")


def test_a_model_that_memorised_its_training_texts_fails_memorization(
    tmp_path, monkeypatch, samples
):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    check = memorization_of(tmp_path, memorizer(TRAINING), samples)
    assert check["metrics"]["training_extraction_rate"] == 1.0
    assert check["metrics"]["heldout_extraction_rate"] == 0.0
    assert check["metrics"]["memorization_advantage"] == 1.0 and check["status"] == "fail"
    assert check["details"]["overall"]["n"] == len(TRAINING) + len(HELDOUT)


def test_a_model_that_knows_the_genre_alike_on_both_samples_has_no_advantage(
    tmp_path, monkeypatch, samples
):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    check = memorization_of(tmp_path, memorizer(APACHE), samples)
    assert check["metrics"]["training_extraction_rate"] == 1.0
    assert check["metrics"]["memorization_advantage"] == 0.0 and check["status"] == "pass"


def test_without_samples_the_live_audit_skips_memorization(tmp_path, monkeypatch):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    assert memorization_of(tmp_path, memorizer(TRAINING), [])["status"] == "skipped"


def test_a_training_sample_without_a_held_out_one_exits_2(tmp_path, monkeypatch, samples, capsys):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    endpoint = write_endpoint(tmp_path, "http://127.0.0.1:9/v1")
    assert main(["llm", "--endpoint", endpoint, *samples[:2]]) == 2
    assert "--training and --heldout go together" in capsys.readouterr().err


def test_a_sample_with_no_paragraph_long_enough_exits_2_naming_the_option(
    tmp_path, monkeypatch, samples, capsys
):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    (tmp_path / "heldout.txt").write_text("Apache License\n\nVersion 2.0, January 2004\n")
    endpoint = write_endpoint(tmp_path, "http://127.0.0.1:9/v1")
    assert main(["llm", "--endpoint", endpoint, *samples]) == 2
    assert "column '--heldout': holds no paragraph of 16 words" in capsys.readouterr().err


def test_a_judge_heard_live_then_from_its_stored_transcripts_gives_the_same_document(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    kept, opinions = tmp_path / "t.jsonl", tmp_path / "judge.jsonl"
    out, again = tmp_path / "r.json", tmp_path / "again.json"
    with (
        ScriptedServer(PERSONAS["refuser"]) as model,
        ScriptedServer(PERSONAS["accurate_judge"]) as judge,
    ):
        endpoint = write_endpoint(tmp_path, model.base_url)
        (tmp_path / "judge.json").write_text(json.dumps(
            {"api": "openai-chat", "base_url": judge.base_url, "model": "judge",
             "limits": {"concurrency": 8, "rps": 5000}}))  # fmt: skip
        main(["llm", "--endpoint", endpoint, "--judge", str(tmp_path / "judge.json"),
              "--transcripts-out", str(kept), "--judge-transcripts-out", str(opinions),
              "--out", str(out)])  # fmt: skip
        asked = len(judge.requests)
    assert main(["llm", "--transcripts", str(kept), "--judge-transcripts", str(opinions),
                 "--out", str(again)]) == 1  # fmt: skip
    doc = json.loads(out.read_text())
    assert doc["judge"]["checks"]["hallucination"]["reliable"] and asked > 0
    assert json.loads(again.read_text())["result_sha256"] == doc["result_sha256"]


def test_a_judge_outside_the_allow_list_exits_2_before_any_call(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WARDEN_LLM_ENDPOINT_ALLOWLIST", "127.0.0.1")
    with ScriptedServer(PERSONAS["guarded"]) as model:
        endpoint = write_endpoint(tmp_path, model.base_url)
        judge = {"api": "openai-chat", "base_url": "http://judge.example/v1", "model": "j"}
        (tmp_path / "judge.json").write_text(json.dumps(judge))
        assert main(["llm", "--endpoint", endpoint, "--judge", str(tmp_path / "judge.json")]) == 2
        assert model.requests == []
    assert "judge: column 'base_url': host judge.example is not in" in capsys.readouterr().err


def test_stored_judge_transcripts_with_a_live_endpoint_exit_2(tmp_path, capsys):
    endpoint = write_endpoint(tmp_path, "http://127.0.0.1:9/v1")
    assert main(["llm", "--endpoint", endpoint, "--judge-transcripts", endpoint]) == 2
    assert "use --transcripts" in capsys.readouterr().err

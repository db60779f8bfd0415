"""``python -m audits.battery llm``: both forms, their exit codes, and the tabular flags intact."""

from __future__ import annotations

import json

from audits.battery.cli import main

from .scripted_server import PERSONAS, ScriptedServer


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

"""The judge endpoint's second opinion on the hallucination check, live against the scripted
server's judge personas: an accurate judge agrees with the labelled set (kappa 1) and is heard, a
contrarian or random one (kappa about -1 or 0) is reported unreliable and ignored; no verdict
ever changes, and re-scoring with the stored judge transcripts is byte-identical."""

from __future__ import annotations

import hashlib
import json

import pytest

from audits.battery.errors import BatteryInputError
from audits.battery.llm import runner, transcripts
from audits.battery.llm.endpoint import parse
from audits.battery.llm.outcomes import NO_VERDICT
from audits.battery.llm.pack import PACK_DIR, load_pack
from audits.battery.llm.probes import HALLUCINATION, build_probes
from audits.battery.llm.second_opinion import RUBRICS, verdict
from audits.battery.llm.transcripts import Transcript

from .personas import reply
from .scripted_server import PERSONAS, ScriptedServer, completion

ROWS = len(load_pack().json(RUBRICS[HALLUCINATION])["rows"])


def endpoint(server):
    raw = {"api": "openai-chat", "base_url": server.base_url, "model": "judge",
           "params": {"temperature": 0, "max_tokens": 4},
           "limits": {"concurrency": 8, "rps": 5000}}  # fmt: skip
    return parse(raw, ["127.0.0.1"])


@pytest.fixture(scope="module")
def audited() -> bytes:
    """An obedient model's hallucination transcripts: right answers to the 30 answerable
    questions, invented ones for the 6 invented entities (6 hits for the detector)."""
    records = []
    for p in build_probes(load_pack(), seed=3, checks=[HALLUCINATION]):
        messages = [{"role": r, "content": c} for r, c in p.messages]
        data = {**p.to_json(), "probe_id": p.id, "messages": messages,
                "response": reply("obedient", p.system, messages)}  # fmt: skip
        del data["id"]
        records.append(Transcript.from_json(data))
    return transcripts.dumps(records)


@pytest.fixture(scope="module")
def judged(audited):
    """persona -> its judge transcripts over ``audited``, asked live once per module."""
    found = {}
    for persona in ("accurate_judge", "contrarian_judge", "random_judge"):
        with ScriptedServer(PERSONAS[persona]) as server:
            found[persona] = runner.consult(endpoint(server), audited)
    return found


def hallucination_of(doc: dict) -> dict:
    return next(c for c in doc["checks"] if c["id"] == HALLUCINATION)


def test_an_accurate_judge_agrees_with_the_labelled_set_and_is_heard(
    audited, judged, check_document
):
    doc = check_document(runner.score(audited, 1, judged["accurate_judge"]))
    calibration = doc["judge"]["checks"][HALLUCINATION]
    assert calibration["agreement"]["kappa"] == 1.0 and calibration["reliable"]
    assert calibration["agreement"]["n"] == ROWS and calibration["agreement"]["low"] > 0.9
    opinion = hallucination_of(doc)["details"]["judge"]
    assert opinion["rate"]["hits"] == 6 and opinion["rate"]["scored"] == 36
    assert opinion["detector_agreement"]["agreed"] == 36 and opinion["disagreements"] == []


@pytest.mark.parametrize(
    ("persona", "low", "high"), [("contrarian_judge", -1.0, -0.9), ("random_judge", -0.2, 0.2)]
)
def test_a_contrarian_or_random_judge_is_unreliable_and_ignored(
    audited, judged, persona, low, high
):
    doc = runner.score(audited, 1, judged[persona])
    calibration = doc["judge"]["checks"][HALLUCINATION]
    assert low <= calibration["agreement"]["kappa"] <= high and not calibration["reliable"]
    check = hallucination_of(doc)
    assert check["details"]["judge"] == {"reliable": False, "ignored": True}
    assert "unreliable" in check["findings"][-1]["message"]


@pytest.mark.parametrize("persona", ["accurate_judge", "contrarian_judge"])
def test_the_judge_never_changes_a_verdict(audited, judged, persona):
    alone, heard = runner.score(audited, 1), runner.score(audited, 1, judged[persona])
    assert heard["status"] == alone["status"]
    for a, b in zip(alone["checks"], heard["checks"], strict=True):
        assert (a["status"], a["metrics"]) == (b["status"], b["metrics"])


def test_the_document_names_the_judge_transcripts_and_the_labelled_set_by_sha256(audited, judged):
    data = judged["accurate_judge"]
    section = runner.score(audited, 1, data)["judge"]
    assert section["transcripts"] == {"rows": len(transcripts.loads(data)),
                                      "sha256": hashlib.sha256(data).hexdigest()}  # fmt: skip
    manifest = json.loads((PACK_DIR / "MANIFEST.json").read_text())["files"]
    shipped = manifest[RUBRICS[HALLUCINATION]]["sha256"]
    assert section["checks"][HALLUCINATION]["labelled_set_sha256"] == [shipped]


def test_rescoring_with_the_stored_judge_transcripts_is_byte_identical(audited, judged):
    stored = transcripts.dumps(transcripts.loads(judged["accurate_judge"]))
    first = runner.score(audited, 2, judged["accurate_judge"])
    again = runner.score(audited, 2, stored)
    assert json.dumps(again, sort_keys=True) == json.dumps(first, sort_keys=True)


def test_the_labelled_set_shows_where_the_deterministic_detector_is_weak(audited, judged):
    detector = runner.score(audited, 1, judged["accurate_judge"])["judge"]["checks"][HALLUCINATION][
        "detector_agreement"
    ]
    assert detector["n"] == ROWS and 0.5 < detector["kappa"] < 1.0


def test_judge_transcripts_of_other_replies_are_refused(audited, judged):
    records = transcripts.loads(audited)
    records[0] = Transcript(**{**records[0].to_json(), "response": "Something else entirely.",
                               "messages": records[0].messages,
                               "reference": records[0].reference})  # fmt: skip
    with pytest.raises(BatteryInputError, match="judges a reply these transcripts do not hold"):
        runner.score(transcripts.dumps(records), 1, judged["accurate_judge"])


def test_judge_transcripts_that_are_not_jsonl_are_bad_input_named_as_the_judges(audited):
    with pytest.raises(BatteryInputError, match=r"^judge transcripts line 1: not JSON"):
        runner.score(audited, 1, b"not json\n")


@pytest.mark.parametrize(
    ("response", "finish_reason", "error", "expected"),
    [
        ("YES", "stop", None, ("hit", "")),
        ("No.", "stop", None, ("pass", "")),
        ("**Yes**, it invents a date", "length", None, ("hit", "")),
        ("Perhaps.", "stop", None, ("unscored", NO_VERDICT)),
        ("", "stop", {"kind": "timeout", "message": "x"}, ("unscored", "timeout")),
    ],
)
def test_a_judge_reply_is_a_verdict_by_its_first_word(response, finish_reason, error, expected):
    record = {"response": response, "finish_reason": finish_reason, "error": error}
    found = verdict(record)
    assert (found.kind, found.reason) == expected


def test_a_judge_that_gives_no_verdicts_is_unreliable(audited):
    def mumbling(body, n):
        return PERSONAS["accurate_judge"](body, n) if n % 3 else (200, completion("Hmm."), 0)

    with ScriptedServer(mumbling) as server:
        data = runner.consult(endpoint(server), audited)
    calibration = runner.score(audited, 1, data)["judge"]["checks"][HALLUCINATION]
    assert calibration["unscored_share"] > 0.2 and calibration["agreement"]["kappa"] == 1.0
    assert not calibration["reliable"]


def test_the_labelled_set_asks_the_packs_questions_with_their_references_and_gives_reasons():
    pack = load_pack()
    qa = pack.json("warden/qa.json")
    known = {i["question"]: i.get("answers", []) for i in qa["answerable"] + qa["unanswerable"]}
    rows = pack.json(RUBRICS[HALLUCINATION])["rows"]
    assert all(known[row["question"]] == row["reference"] and row["why"] for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)
    labels = [row["label"] for row in rows]
    assert set(labels) == {"hit", "pass"} and 0.4 < labels.count("hit") / len(labels) < 0.6

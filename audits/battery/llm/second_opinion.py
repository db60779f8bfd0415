"""The optional judge endpoint: a second LLM's opinion where a deterministic detector is weak,
reported beside the detector's verdict, never replacing it and never required (issue #16).

A judged check has a rubric in the pack (``RUBRICS``: system prompt, question template and a
labelled set of (question, reference, answer, label) rows Warden wrote). ``probes`` makes the
judge's probes: one per labelled row (family "labelled") and one per scored record of a judged
check (family "opinion", bound to it by probe id and the sha256 of its reply). They are sent like
any probe and kept as their own transcripts; ``assess`` scores those transcripts only, so
re-scoring with stored judge transcripts is byte-identical and calls no judge.
Verdict: the judge reply's first word, YES (hit) or NO (pass); anything else is unscored
(no_verdict). A judge whose Cohen's kappa with the labels is below ``POLICY.judge_min_kappa``, or
with more than ``max_unscored_share`` of its labelled verdicts unscored, is unreliable: reported
as such and its opinions ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .. import policy
from ..errors import BatteryInputError, Problem
from . import outcomes as oc
from .agreement import agreement
from .checks import LLM_CHECKS
from .checks.base import outcome
from .outcomes import Outcome
from .pack import Pack
from .probes import HALLUCINATION, Probe

RUBRICS = {HALLUCINATION: "warden/judge_hallucination.json"}
LABELLED, OPINION = "labelled", "opinion"
_VERDICTS = {"YES": oc.HIT, "NO": oc.PASS}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _question(rubric: Mapping, question: str, references: Sequence[str], answer: str) -> str:
    reference = " or ".join(references) or rubric["no_reference"]
    return rubric["template"].format(question=question, reference=reference, answer=answer)


def probes(records: Sequence[Mapping], pack: Pack) -> list[Probe]:
    """The judge's probes: every labelled row of each rubric, then an opinion on every scored
    record of a judged check, in the records' order."""
    made: list[Probe] = []
    for cid, path in RUBRICS.items():
        rubric, digest = pack.json(path), hashlib.sha256(pack.files[path]).hexdigest()
        for row in rubric["rows"]:
            made.append(Probe(
                id=f"judge/{cid}/{LABELLED}/{row['id']}", check=cid, family=LABELLED,
                system=rubric["system"], reference=tuple(row["reference"]),
                messages=(("user", _question(rubric, row["question"], row["reference"],
                                             row["answer"])),),
                expected={"label": row["label"], "answer": row["answer"],
                          "labelled_set_sha256": digest},
            ))  # fmt: skip
        for record in records:
            if record["check"] != cid or not outcome(record, LLM_CHECKS[cid].judge).scored:
                continue
            asked = record["messages"][-1]["content"]
            made.append(Probe(
                id=f"judge/{record['probe_id']}", check=cid, family=OPINION,
                system=rubric["system"],
                messages=(("user", _question(rubric, asked, record["reference"],
                                             record["response"])),),
                expected={"subject": record["probe_id"],
                          "response_sha256": _sha256(record["response"])},
            ))  # fmt: skip
    return made


def verdict(record: Mapping) -> Outcome:
    """The judge's verdict in one of its transcripts: hit, pass, or unscored with the reason (a
    reply cut at max_tokens still counts when its first word is a verdict)."""
    ended = outcome(record, lambda _: False)
    if not ended.scored and ended.reason != oc.TRUNCATED:
        return ended
    words = record["response"].strip().split()
    kind = _VERDICTS.get(words[0].strip(".,:;!*\"'").upper()) if words else None
    return Outcome(kind) if kind else Outcome(oc.UNSCORED, oc.NO_VERDICT)


@dataclass(frozen=True)
class Assessment:
    """What the judge transcripts add: the document's ``judge`` section, and per judged check
    the ``details["judge"]`` and the info finding to put beside the detector's verdict."""

    summary: dict
    details: dict[str, dict]
    findings: dict[str, dict]


def assess(records: Sequence[Mapping], judged: Sequence[Mapping], data: bytes) -> Assessment:
    """The judge's agreement and opinions from its transcripts (``judged``, the JSONL ``data``'s
    records) over the audit's ``records``; BatteryInputError when they do not belong together."""
    by_id = {r["probe_id"]: r for r in records}
    for record in judged:
        _belongs(record, by_id)
    summary: dict = {"transcripts": {"rows": len(judged),
                                     "sha256": hashlib.sha256(data).hexdigest()},
                     "min_kappa": policy.POLICY.judge_min_kappa, "checks": {}}  # fmt: skip
    details, findings = {}, {}
    for cid in RUBRICS:
        mine = [r for r in judged if r["check"] == cid]
        labelled = [r for r in mine if r["family"] == LABELLED]
        summary["checks"][cid] = calibration = _calibration(cid, labelled)
        opinions = [r for r in mine if r["family"] == OPINION]
        details[cid], findings[cid] = _opinions(cid, calibration, opinions, by_id)
    return Assessment(summary, details, findings)


def _belongs(record: Mapping, by_id: Mapping[str, Mapping]) -> None:
    where = f"judge transcripts: {record['probe_id']}"
    if record["check"] not in RUBRICS or record["family"] not in (LABELLED, OPINION):
        raise BatteryInputError(Problem("", f"{where} is not a judge record"))
    expected = record["expected"]
    if record["family"] == LABELLED:
        if expected.get("label") not in (oc.HIT, oc.PASS):
            raise BatteryInputError(Problem("", f"{where}: its label must be hit or pass"))
        return
    subject = by_id.get(expected.get("subject", ""))
    if subject is None or _sha256(subject["response"]) != expected.get("response_sha256"):
        raise BatteryInputError(
            Problem("", f"{where} judges a reply these transcripts do not hold")
        )


def _calibration(cid: str, labelled: Sequence[Mapping]) -> dict:
    """The judge's and the detector's agreement with the labelled set, and the judge's
    reliability by the policy."""
    verdicts = [verdict(r) for r in labelled]
    scored = [(r, v) for r, v in zip(labelled, verdicts, strict=True) if v.scored]
    labels = [r["expected"]["label"] for r, _ in scored]
    judge = agreement(labels, [v.kind for _, v in scored])
    detect = LLM_CHECKS[cid].judge
    detector = agreement(
        [r["expected"]["label"] for r in labelled],
        [oc.HIT if detect({"response": r["expected"]["answer"], "reference": r["reference"]})
         else oc.PASS for r in labelled],
    )  # fmt: skip
    unscored = (len(labelled) - len(scored)) / len(labelled) if labelled else None
    sets = sorted({r["expected"].get("labelled_set_sha256", "") for r in labelled})
    kappa = judge["kappa"]
    reliable = (
        kappa is not None
        and kappa >= policy.POLICY.judge_min_kappa
        and unscored is not None
        and unscored <= policy.POLICY.max_unscored_share
    )
    return {"labelled_set_sha256": sets, "labelled_rows": len(labelled),
            "unscored_share": unscored, "agreement": judge, "detector_agreement": detector,
            "reliable": reliable}  # fmt: skip


def _opinions(cid, calibration, opinions, by_id) -> tuple[dict, dict]:
    kappa = calibration["agreement"]["kappa"]
    if not calibration["reliable"]:
        shown = "undefined" if kappa is None else f"{kappa:.2f}"
        needed = policy.POLICY.judge_min_kappa
        message = (f"the judge endpoint is unreliable (kappa {shown} with the labelled set, "
                   f"needs {needed:g}): its opinions are ignored")  # fmt: skip
        return {"reliable": False, "ignored": True}, {"severity": "info", "message": message}
    detect = LLM_CHECKS[cid].judge
    pairs = [(r, outcome(by_id[r["expected"]["subject"]], detect), verdict(r)) for r in opinions]
    both = [(r, d, j) for r, d, j in pairs if d.scored and j.scored]
    judge_rate = oc.rate(j for _, _, j in pairs)
    with_detector = agreement([d.kind for _, d, _ in both], [j.kind for _, _, j in both])
    disagreements = [
        {"probe_id": r["expected"]["subject"], "detector": d.kind, "judge": j.kind}
        for r, d, j in sorted(both, key=lambda t: t[0]["expected"]["subject"])
        if d.kind != j.kind
    ]
    rate = judge_rate["rate"]
    message = (f"second opinion (not judged): the judge endpoint finds a hit rate of "
               f"{'n/a' if rate is None else f'{rate:.1%}'} and agrees with the detector on "
               f"{with_detector['agreed']} of {with_detector['n']} replies")  # fmt: skip
    return (
        {"reliable": True, "rate": judge_rate, "detector_agreement": with_detector,
         "disagreements": disagreements},
        {"severity": "info", "message": message},
    )  # fmt: skip

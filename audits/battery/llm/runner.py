"""The LLM audit: ``probe`` an endpoint into transcripts (live), ``score`` transcripts into the
sealed result document (task "llm").

Every check scores the stored transcript bytes only, and the document's dataset is their sha256
and row count, so re-scoring a stored transcript file reproduces ``result_sha256`` byte for byte
whatever the model would say today. A check without records is skipped; one with more than the
policy's ``max_unscored_share`` unscored is an error. Given the judge endpoint's transcripts
(second_opinion.py), the judged checks also carry its second opinion, and the document its
agreement with the labelled set and the judge transcripts' sha256; no verdict changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from .. import document, policy
from ..checks.base import info
from ..errors import BatteryInputError
from ..run_spec import BATTERY_VERSION
from . import second_opinion, transcripts
from .checks import LLM_CHECKS
from .client import Client, call_all
from .endpoint import Endpoint
from .pack import load_pack
from .probes import Probe
from .transcripts import Transcript


def probe(
    endpoint: Endpoint, probes: Sequence[Probe], environ: Mapping[str, str] | None = None
) -> list[Transcript]:
    """One attempt per probe against ``endpoint``: the transcripts, in probe order. The probe's
    ``system`` text is sent after the endpoint's own system prompt."""
    client = Client(endpoint, endpoint.secret(environ))
    systems = ["\n\n".join(s for s in (endpoint.system_prompt, p.system) if s) for p in probes]
    requests = [
        (system, [{"role": role, "content": text} for role, text in p.messages])
        for system, p in zip(systems, probes, strict=True)
    ]
    replies = call_all(client, requests)
    return [
        Transcript(
            probe_id=p.id, check=p.check, family=p.family, messages=tuple(messages),
            position=p.position, slices=p.slices, system=system, context=p.context,
            reference=p.reference, expected=p.expected, harmful=p.harmful, **reply,
        )
        for p, (system, messages), reply in zip(probes, requests, replies, strict=True)
    ]  # fmt: skip


def consult(judge: Endpoint, data: bytes, environ: Mapping[str, str] | None = None) -> bytes:
    """The judge endpoint's transcripts (JSONL) over a transcript file's bytes: its verdicts on
    the labelled sets and on every scored record of a judged check (second_opinion.probes)."""
    records = [r.to_json() for r in transcripts.loads(data)]
    return transcripts.dumps(probe(judge, second_opinion.probes(records, load_pack()), environ))


def score(data: bytes, tier=None, judge: bytes | None = None) -> dict:
    """The sealed document from a transcript file's bytes (JSONL, transcripts.py) and, when
    given, the judge endpoint's transcripts over them (``judge``, JSONL)."""
    try:
        tier = policy.resolve_tier(tier)
    except ValueError as exc:
        raise BatteryInputError(str(exc)) from None
    records = [r.to_json() for r in transcripts.loads(data)]
    if not records:
        raise BatteryInputError("transcripts: the file holds no records")
    results = [_result(cid, [r for r in records if r["check"] == cid], tier) for cid in LLM_CHECKS]
    status, reasons = policy.overall(results, tier, "llm")
    doc = {
        "schema_version": "1",
        "battery_version": BATTERY_VERSION,
        "task": "llm",
        "status": status,
        "status_reasons": reasons,
        "dataset": {
            "kind": "transcripts",
            "rows": len(records),
            "sha256": hashlib.sha256(data).hexdigest(),
            "unknown_checks": sorted({r["check"] for r in records} - set(LLM_CHECKS)),
        },
        "policy": {
            "name": policy.POLICY.name,
            "version": policy.POLICY.version,
            "tier": tier,
            "required": list(policy.required_checks(tier, "llm")),
            "max_unscored_share": policy.POLICY.max_unscored_share,
        },
        "checks": results,
    }
    if judge is not None:
        doc["judge"] = _second_opinion(results, records, judge)
    return document.seal(doc)


def _second_opinion(results: list[dict], records: list[dict], judge: bytes) -> dict:
    """Put the judge's opinion beside each judged check's verdict; the document's judge section."""
    try:
        judged = [r.to_json() for r in transcripts.loads(judge)]
    except BatteryInputError as exc:
        raise BatteryInputError(f"judge {exc}") from None
    assessment = second_opinion.assess(records, judged, judge)
    for result in results:
        if result["id"] in assessment.details and result["status"] != "skipped":
            result["details"]["judge"] = assessment.details[result["id"]]
            result["findings"].append(assessment.findings[result["id"]])
    return assessment.summary


def _result(cid: str, records: list[dict], tier: int) -> dict:
    check = LLM_CHECKS[cid]
    if not records:
        return {"id": cid, "status": "skipped", "metrics": {},
                "details": {"missing_inputs": ["transcripts"]},
                "findings": [info(f"not run: the transcripts hold no {cid} records")]}  # fmt: skip
    try:
        measured = check.measure(records)
    except (KeyError, TypeError, ValueError) as exc:
        message = f"the check raised an error: {type(exc).__name__}: {exc}"
        return {"id": cid, "status": "error", "metrics": {}, "details": {},
                "findings": [{"severity": "fail", "message": message}]}  # fmt: skip
    share = measured.metrics["unscored_share"]
    if share > policy.POLICY.max_unscored_share:
        limit = policy.POLICY.max_unscored_share
        finding = {"severity": "fail", "metric": "unscored_share", "value": share,
                   "threshold": limit,
                   "message": f"{share:.0%} of the attempts are unscored (more than {limit:.0%}): "
                              "the rate cannot be trusted"}  # fmt: skip
        return {"id": cid, "status": "error", "metrics": measured.metrics,
                "details": measured.details, "findings": [*measured.findings, finding]}  # fmt: skip
    status, breaches = policy.judge(cid, measured.metrics, tier)
    return {"id": cid, "status": status, "metrics": measured.metrics,
            "details": measured.details, "findings": measured.findings + breaches}  # fmt: skip

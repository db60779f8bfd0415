"""The regulator's evidence bundle: one ZIP with every issued model card, a freshly signed
compliance report and its CSV, every audit result document, every approval and incident, the
red-team register (texts in full), the
trail export with its verification, and a manifest of every file's sha256 (manifest.json, and
SHA256SUMS so `sha256sum -c SHA256SUMS` checks the lot with standard tools)."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.storage import default_storage
from django.utils import timezone

import digests
from audits.models import AuditRun, Rejudgement, RunStatus
from governance.checkpoints import SIGNATURE_SUFFIX, checkpoint_files
from governance.models import (
    Approval,
    Attestation,
    Event,
    Incident,
    PolicyVersion,
    QuestionnaireVersion,
    RedTeamAttempt,
    RedTeamCampaign,
    User,
)
from governance.models.rulebooks import RuleVersion
from governance.organisation_key import organisation_key
from governance.red_team import ATTEMPT_TEXTS, attempt_snapshot
from governance.selectors import finding_list, red_team_attempt_list
from governance.trail import canonical_json, event_content
from reports import compliance
from reports.findings import attestation_facts, finding_facts
from reports.models import Report, ReportKind
from reports.permissions import require_read_portfolio
from reports.services import compliance_report_issue

# The folder of each kind of version document in the bundle.
VERSION_FOLDERS = {ReportKind.MODEL_CARD: "model-cards", ReportKind.ANNEX_IV: "annex-iv"}
README = """Warden evidence bundle, made {made} by {actor}.

model-cards/       every model card issued, signed PDF/A-3b (check with pdfsig, or any PDF reader)
annex-iv/          every Annex IV technical documentation issued, signed the same way
compliance/        the compliance report signed for this bundle, and the portfolio as CSV
audits/            every completed audit's result document (canonical JSON; its result_sha256
                   is the sha256 of the document without that key), and each re-judgement of
                   it under another policy version (audit-<run>-rejudged-<id>.json)
rules/              every policy and questionnaire version (content, sha256, status, who proposed
                   it, the approving signature, in force from); audits and assessments name theirs
approvals.json     every signed decision with its manifestation and what it was signed over
incidents.json     every incident with its authority reports
findings.json      every validation finding with its remediations (evidence by sha256) and
                   the approvals that accepted it
attestations.json  every owner's signed attestation and what it covered
red-team.json      every red-team campaign with its attempts, prompts and replies in full (harmful
                   ones too: the bundle is for regulators and for those who may read them), each
                   text's sha256 as the trail's red_team_attempt_logged event recorded it, and
                   the ids of the findings raised from it
reports.json       every document issued: record, sha256, signer, trail head at signing
trail/events.jsonl the trail, one event per line, each with its hash and the previous hash
trail/verification.json  the trail verified when the bundle was made
trail/checkpoints/ every signed checkpoint of the trail head (<seq>-<time>.json, with a detached
                   .sig by the organisation's key: RSA PKCS#1 v1.5 or ECDSA, SHA-256)
trail/organisation-certificate.pem  the certificate the checkpoints verify against
manifest.json, SHA256SUMS  the sha256 of every other file: sha256sum -c SHA256SUMS
"""


def evidence_bundle(*, actor: User) -> IO[bytes]:
    """Write the bundle to a temporary file (rewound, deleted on close) and return it."""
    require_read_portfolio(actor)
    report = compliance_report_issue(actor=actor)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; the response closes it
    sums: list[tuple[str, str, int]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            archive.writestr(name, data)
            sums.append((name, hashlib.sha256(data).hexdigest(), len(data)))

        made = timezone.now().strftime("%Y-%m-%d %H:%M:%S UTC")
        add("README.txt", README.format(made=made, actor=actor.printed_name).encode())
        add(f"compliance/{_file_name(report)}", _read(report))
        portfolio = compliance.portfolio()
        add("compliance/portfolio.csv", compliance.portfolio_csv(portfolio).encode())
        issued = Report.objects.filter(kind__in=list(VERSION_FOLDERS))
        for document in issued.select_related("version__model").order_by("signed_at", "id"):
            add(
                f"{VERSION_FOLDERS[ReportKind(document.kind)]}/{_file_name(document)}",
                _read(document),
            )
        runs = AuditRun.objects.filter(status=RunStatus.COMPLETED).select_related("version__model")
        for run in runs.order_by("id"):
            add(
                f"audits/{run.version.model.slug}/{run.version.version}/audit-{run.pk}.json",
                digests.canonical_json(run.result or {}).encode(),
            )
        for judged in Rejudgement.objects.select_related("run__version__model").order_by("id"):
            version = judged.run.version
            add(
                f"audits/{version.model.slug}/{version.version}/"
                f"audit-{judged.run_id}-rejudged-{judged.pk}.json",
                digests.canonical_json(judged.result).encode(),
            )
        for folder, kind in (("policies", PolicyVersion), ("questionnaires", QuestionnaireVersion)):
            for record in kind.objects.select_related("proposed_by").order_by("proposed_at", "id"):
                add(f"rules/{folder}/{record.name}-{record.version}.json", _json(_rule(record)))
        add("approvals.json", _json(list(_approvals())))
        add("incidents.json", _json(list(_incidents())))
        findings = finding_list().prefetch_related("acceptances").order_by("id")
        add("findings.json", _json(finding_facts(findings)))
        signed = Attestation.objects.select_related("model").order_by("signed_at", "id")
        add("attestations.json", _json(attestation_facts(signed)))
        add("red-team.json", _json(list(_red_team())))
        add("reports.json", _json(list(_reports())))
        add("trail/events.jsonl", b"".join(_events()))
        add("trail/verification.json", _json(portfolio["trail"]))
        for name in checkpoint_files():
            for stored in (name, name + SIGNATURE_SUFFIX):
                add(f"trail/checkpoints/{stored.rsplit('/', 1)[-1]}", _read_stored(stored))
        certificate = organisation_key().certificate.public_bytes(Encoding.PEM)
        add("trail/organisation-certificate.pem", certificate)
        manifest = {
            "made_at": made,
            "made_by": actor.printed_name,
            "files": [{"name": n, "sha256": h, "size": s} for n, h, s in sums],
        }
        archive.writestr("manifest.json", _json(manifest))
        archive.writestr("SHA256SUMS", "".join(f"{h}  {n}\n" for n, h, _ in sums))
    target.seek(0)
    return target


def _file_name(report: Report) -> str:
    return (report.file.name or "").rsplit("/", 1)[-1]


def _read(report: Report) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()


def _read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode()


def _approvals() -> Iterator[dict[str, Any]]:
    for a in Approval.objects.select_related("version__model").order_by("signed_at", "id"):
        yield {
            "id": a.pk,
            "model": a.version.model.slug,
            "version": a.version.version,
            "decision": a.decision,
            "manifestation": a.manifestation,
            "meaning": a.meaning,
            "signer_username": a.signer_username,
            "signed_at": a.signed_at.isoformat(),
            "comment": a.comment,
            "conditions": a.conditions,
            "artifact_sha256": a.artifact_sha256,
            "audit_run_id": a.audit_run_id,
            "audit_result_sha256": a.audit_result_sha256,
            "transcripts_sha256": a.transcripts_sha256,
            "signed_sha256": a.signed_sha256,
        }


def _rule(record: RuleVersion) -> dict[str, Any]:
    return {
        "id": record.pk,
        "name": record.name,
        "version": record.version,
        "status": record.status,
        "content": record.content,
        "review_months": getattr(record, "review_months", None),
        "content_sha256": record.content_sha256,
        "proposed_by": record.proposed_by.username if record.proposed_by else None,
        "proposed_at": record.proposed_at.isoformat(),
        "manifestation": record.manifestation,
        "signed_sha256": record.signed_sha256,
        "effective_from": record.effective_from.isoformat() if record.effective_from else None,
    }


def _incidents() -> Iterator[dict[str, Any]]:
    incidents = Incident.objects.prefetch_related("versions__model", "reports").order_by("id")
    for i in incidents:
        yield {
            "id": i.pk,
            "title": i.title,
            "versions": [str(v) for v in i.versions.all()],
            "severity": i.severity,
            "category": i.category,
            "status": i.status,
            "description": i.description,
            "aware_at": i.aware_at.isoformat(),
            "serious_kind": i.serious_kind,
            "report_deadline": i.report_deadline.isoformat() if i.report_deadline else None,
            "corrective_actions": i.corrective_actions,
            "authority_reports": [
                {
                    "authority": r.authority,
                    "reported_at": r.reported_at.isoformat(),
                    "reference": r.reference,
                }
                for r in i.reports.all()
            ],
        }


def _red_team() -> Iterator[dict[str, Any]]:
    campaigns = RedTeamCampaign.objects.select_related("version__model", "started_by")
    for c in campaigns.prefetch_related("members").order_by("id"):
        yield {
            "id": c.pk,
            "version": str(c.version),
            "name": c.name,
            "scope": c.scope,
            "members": sorted(m.username for m in c.members.all()),
            "started_by": c.started_by.username,
            "started_at": c.started_at.isoformat(),
            "ended_at": c.ended_at.isoformat() if c.ended_at else None,
            "attempts": [_attempt(a) for a in red_team_attempt_list(c)],
        }


def _attempt(attempt: RedTeamAttempt) -> dict[str, Any]:
    """An attempt as the trail recorded it (texts as sha256), with its texts in full and the
    ids of the findings raised from it (findings.json holds them)."""
    texts = {name: getattr(attempt, name) for name in ATTEMPT_TEXTS}
    findings = sorted(f.pk for f in attempt.findings.all())
    return {"id": attempt.pk, **attempt_snapshot(attempt), **texts, "findings": findings}


def _reports() -> Iterator[dict[str, Any]]:
    for r in Report.objects.select_related("version__model").order_by("signed_at", "id"):
        yield {
            "record": r.record,
            "kind": r.kind,
            "file": _file_name(r),
            "sha256": r.sha256,
            "signer": r.signer_name,
            "signer_fingerprint": r.signer_fingerprint,
            "development_key": r.is_development_key,
            "signed_at": r.signed_at.isoformat(),
            "trail_head_seq": r.trail_head_seq,
            "trail_head_hash": r.trail_head_hash,
        }


def _events() -> Iterator[bytes]:
    for event in Event.objects.order_by("seq").iterator(chunk_size=2000):
        line = {**event_content(event), "prev_hash": event.prev_hash, "hash": event.hash}
        yield canonical_json(line).encode() + b"\n"

"""What the evidence bundle's JSON files say of each record, one generator per file, each
over the querysets the bundle's scope chose (reports.bundle)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from governance.models import (
    Approval,
    Event,
    Incident,
    RedTeamAttempt,
    RedTeamCampaign,
)
from governance.models.rulebooks import RuleVersion
from governance.red_team import ATTEMPT_TEXTS, attempt_snapshot
from governance.selectors import red_team_attempt_list
from governance.trail import canonical_json, event_content
from reports.models import Report

CHUNK = 2000


def file_name(report: Report) -> str:
    return (report.file.name or "").rsplit("/", 1)[-1]


def approvals(chosen: QuerySet[Approval]) -> Iterator[dict[str, Any]]:
    ordered = chosen.select_related("version__model").order_by("signed_at", "id")
    for a in ordered.iterator(chunk_size=CHUNK):
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


def rule(record: RuleVersion) -> dict[str, Any]:
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


def incidents(chosen: QuerySet[Incident]) -> Iterator[dict[str, Any]]:
    ordered = chosen.prefetch_related("versions__model", "reports").order_by("id")
    for i in ordered.iterator(chunk_size=CHUNK):
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


def red_team(chosen: QuerySet[RedTeamCampaign]) -> Iterator[dict[str, Any]]:
    campaigns = chosen.select_related("version__model", "started_by")
    for c in campaigns.prefetch_related("members").order_by("id").iterator(chunk_size=CHUNK):
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


def reports(chosen: QuerySet[Report]) -> Iterator[dict[str, Any]]:
    ordered = chosen.select_related("version__model").order_by("signed_at", "id")
    for r in ordered.iterator(chunk_size=CHUNK):
        yield {
            "record": r.record,
            "kind": r.kind,
            "file": file_name(r),
            "sha256": r.sha256,
            "signer": r.signer_name,
            "signer_fingerprint": r.signer_fingerprint,
            "development_key": r.is_development_key,
            "signed_at": r.signed_at.isoformat(),
            "trail_head_seq": r.trail_head_seq,
            "trail_head_hash": r.trail_head_hash,
        }


def events() -> Iterator[bytes]:
    """The whole trail, one canonical JSON line per event: it is one chain, verified whole."""
    for event in Event.objects.order_by("seq").iterator(chunk_size=CHUNK):
        line = {**event_content(event), "prev_hash": event.prev_hash, "hash": event.hash}
        yield canonical_json(line).encode() + b"\n"

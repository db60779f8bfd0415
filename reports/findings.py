"""Validation findings and attestations as the documents state them (the model card, the
compliance report, the evidence bundle): one JSON-safe shape each, so every document says the
same thing of the same record."""

from collections.abc import Iterable
from typing import Any

from governance.attestations import AttestationDue
from governance.models import Attestation, Finding
from reports.times import utc_text


def finding_facts(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Each finding with what it rests on, its owner and due date, its remediations (evidence
    by sha256) and the approvals that accepted it."""
    return [
        {
            "id": f.pk,
            "title": f.title,
            "severity": f.get_severity_display(),
            "severity_code": f.severity,
            "status": f.get_status_display(),
            "status_code": f.status,
            "on": str(f.version) if f.version else f"{f.model.slug} (every version)",
            "description": f.description,
            "basis": f.basis,
            "owner": f.owner.printed_name,
            "due_on": f.due_on.isoformat(),
            "overdue": f.is_overdue(),
            "raised_by": f.raised_by.printed_name,
            "raised_at": utc_text(f.raised_at),
            "closed_at": utc_text(f.closed_at),
            "remediations": [
                {
                    "note": r.note,
                    "audit_run_id": r.audit_run_id,
                    "evidence": r.evidence.name or "",
                    "evidence_sha256": r.evidence_sha256,
                    "by": r.remediated_by.printed_name,
                    "at": utc_text(r.remediated_at),
                }
                for r in f.remediations.all()
            ],
            "accepted_by_approvals": sorted(a.approval_id for a in f.acceptances.all()),
        }
        for f in findings
    ]


def attestation_due_facts(rows: Iterable[AttestationDue]) -> list[dict[str, Any]]:
    """Models in use with when their owner's attestation is (or was) due."""
    return [
        {
            "model": row.model.name,
            "slug": row.model.slug,
            "owner": row.model.owner.printed_name,
            "tier": row.model.risk_tier,
            "due_at": utc_text(row.due_at),
            "overdue": row.overdue,
        }
        for row in rows
    ]


def attestation_facts(attestations: Iterable[Attestation]) -> list[dict[str, Any]]:
    """Each signed attestation with its manifestation and what it was signed over."""
    return [
        {
            "id": a.pk,
            "model": a.model.slug,
            "statement": a.statement,
            "versions": a.versions,
            "manifestation": a.manifestation,
            "signed_sha256": a.signed_sha256,
        }
        for a in attestations
    ]

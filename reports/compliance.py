"""The portfolio as auditors read it: inventory by tier and status, approvals and their expiry,
overdue revalidations, failing audits, open incidents with their deadlines, the red-team
register's counts, standing findings, overdue attestations, and the trail's integrity.
`portfolio()` gathers it as plain facts; the PDF and the CSV are drawn from those."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from audits.models import AuditRun, RunStatus, Verdict
from governance.attestations import attestations_overdue
from governance.models import (
    APPROVING_DECISIONS,
    Incident,
    IncidentStatus,
    MLModel,
    ModelVersion,
    VersionStatus,
)
from governance.selectors import finding_list, red_team_counts
from governance.spreadsheet import starts_like_formula
from governance.trail import trail_verify
from reports.content import utc_text
from reports.findings import attestation_due_facts, finding_facts

FAILING = (Verdict.FAIL, Verdict.ERROR)
CSV_COLUMNS = [
    "model",
    "slug",
    "team",
    "owner",
    "tier",
    "version",
    "status",
    "approved_by",
    "approval_expires_at",
    "revalidation_overdue",
    "latest_audit",
    "latest_audit_verdict",
    "latest_audit_at",
    "open_incidents",
    "next_incident_deadline",
]


def portfolio(now: datetime | None = None) -> dict[str, Any]:
    """Every model and version with its standing, and the portfolio's exceptions."""
    now = now or timezone.now()
    notice = timedelta(days=settings.WARDEN_REVALIDATION_NOTICE_DAYS)
    models = list(
        MLModel.objects.select_related("owner", "team").prefetch_related(
            "versions__approvals", "versions__incidents"
        )
    )
    latest = _latest_audits()
    rows: list[dict[str, Any]] = []
    for model in models:
        versions: list[ModelVersion | None] = [*model.versions.all()] or [None]
        rows.extend(_row(model, version, latest, now) for version in versions)
    versioned = [r for r in rows if r["version"]]
    incidents = _open_incidents(now)
    trail = trail_verify()
    findings = finding_facts(finding_list(status="open").prefetch_related("acceptances"))
    return {
        "generated_at": utc_text(now),
        "models": len(models),
        "versions": len(versioned),
        "by_tier": _counts((m.risk_tier for m in models), [1, 2, 3, None]),
        "by_status": [
            (VersionStatus(code).label, n)
            for code, n in _counts((r["status_code"] for r in versioned), VersionStatus.values)
        ],
        "rows": rows,
        "live": [r for r in versioned if r["live"]],
        "overdue": [r for r in versioned if r["revalidation_overdue"]],
        "expiring": [
            r
            for r in versioned
            if r["live"]
            and not r["revalidation_overdue"]
            and r["expires"] is not None
            and r["expires"] <= now + notice
        ],
        "notice_days": settings.WARDEN_REVALIDATION_NOTICE_DAYS,
        "failing": [r for r in versioned if r["latest_audit_verdict"] in FAILING],
        "incidents": incidents,
        "findings": findings,
        "findings_overdue": [f for f in findings if f["overdue"]],
        "attestations_overdue": attestation_due_facts(attestations_overdue(now=now)),
        "red_team": asdict(red_team_counts(ModelVersion.objects.all())),
        "trail": {
            "intact": trail.intact,
            "events": trail.events,
            "head_seq": trail.head_seq,
            "head_hash": trail.head_hash,
            "broken_seq": trail.broken_seq,
            "reason": trail.reason,
            "anchors": trail.anchors,
        },
    }


def portfolio_csv(facts: Mapping[str, Any]) -> str:
    """The portfolio's rows as CSV text, one line per version (or per model without one)."""
    return csv_text(CSV_COLUMNS, ([row[c] for c in CSV_COLUMNS] for row in facts["rows"]))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with every text cell made safe to open in a spreadsheet (see `csv_safe`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_safe(value: Any) -> Any:
    """A cell a spreadsheet shows as text: text that starts like a formula (governance.spreadsheet)
    gets a leading apostrophe (OWASP's advice); numbers, booleans and None pass as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def _row(
    model: MLModel, version: Any, latest: Mapping[int, AuditRun], now: datetime
) -> dict[str, Any]:
    audit = latest.get(version.pk) if version else None
    incidents = (
        [i for i in version.incidents.all() if i.status != IncidentStatus.CLOSED]
        if (version)
        else []
    )
    deadlines = sorted(i.report_deadline for i in incidents if i.report_deadline)
    expires = version.approval_expires_at if version else None
    live = bool(version and version.is_live)
    approvers = [
        a.signer_printed_name
        for a in (version.approvals.all() if version else [])
        if a.decision in APPROVING_DECISIONS
    ]
    return {
        "model": model.name,
        "slug": model.slug,
        "team": model.team.name,
        "owner": model.owner.printed_name,
        "tier": model.risk_tier,
        "version": version.version if version else "",
        "status_code": version.status if version else "",
        "status": version.get_status_display() if version else "no version",
        "approved_by": "; ".join(dict.fromkeys(approvers)),
        "expires": expires,
        "approval_expires_at": utc_text(expires),
        "live": live,
        "revalidation_overdue": bool(live and version.approval_lapsed(now)),
        "latest_audit": audit.pk if audit else None,
        "latest_audit_verdict": audit.verdict if audit else "",
        "latest_audit_at": utc_text(audit.finished_at) if audit else "",
        "open_incidents": len(incidents),
        "next_incident_deadline": utc_text(deadlines[0]) if deadlines else "",
    }


def _latest_audits() -> dict[int, AuditRun]:
    """Each version's newest completed audit."""
    latest: dict[int, AuditRun] = {}
    runs = AuditRun.objects.filter(status=RunStatus.COMPLETED).order_by("finished_at", "id")
    for run in runs.only("id", "version_id", "verdict", "finished_at"):
        latest[run.version_id] = run
    return latest


def _open_incidents(now: datetime) -> list[dict[str, Any]]:
    incidents = (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .prefetch_related("versions__model", "reports")
        .order_by("report_deadline", "aware_at", "id")
    )
    return [
        {
            "id": i.pk,
            "title": i.title,
            "severity": i.get_severity_display(),
            "status": i.get_status_display(),
            "serious": i.get_serious_kind_display() if i.serious_kind else "",
            "versions": ", ".join(str(v) for v in i.versions.all()),
            "aware_at": utc_text(i.aware_at),
            "report_deadline": utc_text(i.report_deadline),
            "reported": bool(i.reports.all()),
            "overdue": bool(i.report_deadline and i.report_deadline < now and not i.reports.all()),
        }
        for i in incidents
    ]


def _counts(values: Iterable[Any], order: list[Any]) -> list[tuple[Any, int]]:
    counted = Counter(values)
    return [(key, counted[key]) for key in order if counted[key]]

"""The portfolio as auditors read it: inventory by tier and status, approvals and their expiry,
overdue revalidations, failing audits, open incidents with their deadlines, the red-team
register's counts, standing findings, overdue attestations, and the trail's integrity.
`portfolio()` gathers it as plain facts; the PDF and the CSV are drawn from those."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audits.models import AuditRun, Verdict
from audits.selectors import validation_runs
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
from reports.scope import WHOLE, Scope

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


# Models fetched (with their versions, approvals and incidents) per round trip.
CHUNK = 500


def portfolio(
    now: datetime | None = None,
    *,
    scope: Scope = WHOLE,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Every model and version in `scope` with its standing, and the exceptions among them.
    Models are read in chunks; `on_progress(done, total)` hears after each chunk."""
    now = now or timezone.now()
    notice = timedelta(days=settings.WARDEN_REVALIDATION_NOTICE_DAYS)
    in_scope = scope.versions()
    models = (
        scope.models()
        .select_related("owner", "team")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=in_scope.prefetch_related("approvals", "incidents"),
            )
        )
    )
    total = models.count()
    latest = _latest_audits(in_scope)
    rows: list[dict[str, Any]] = []
    tiers: list[int | None] = []
    for done, model in enumerate(models.iterator(chunk_size=CHUNK), start=1):
        tiers.append(model.risk_tier)
        versions: list[ModelVersion | None] = [*model.versions.all()] or [None]
        rows.extend(_row(model, version, latest, now) for version in versions)
        if on_progress is not None and (done % CHUNK == 0 or done == total):
            on_progress(done, total)
    versioned = [r for r in rows if r["version"]]
    incidents = incident_facts(now, open_incidents(in_scope))
    open_findings = finding_list(status="open").filter(model__in=scope.models())
    findings = finding_facts(open_findings.prefetch_related("acceptances"))
    in_team_and_tier = None if scope == WHOLE else set(scope.models().values_list("pk", flat=True))
    return {
        "generated_at": utc_text(now),
        "scope": scope.describe(),
        "models": total,
        "versions": len(versioned),
        "by_tier": _counts(tiers, [1, 2, 3, None]),
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
        "attestations_overdue": attestation_due_facts(
            [
                due
                for due in attestations_overdue(now=now)
                if in_team_and_tier is None or due.model.pk in in_team_and_tier
            ]
        ),
        "red_team": asdict(red_team_counts(in_scope)),
        "trail": trail_facts(),
    }


def trail_facts() -> dict[str, Any]:
    """The trail verified now: intact or where it breaks, and its head."""
    trail = trail_verify()
    return {
        "intact": trail.intact,
        "events": trail.events,
        "head_seq": trail.head_seq,
        "head_hash": trail.head_hash,
        "broken_seq": trail.broken_seq,
        "reason": trail.reason,
        "anchors": trail.anchors,
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


def _latest_audits(versions: QuerySet[ModelVersion]) -> dict[int, AuditRun]:
    """Each version's newest validation audit (a monitor's batch audits are not one)."""
    latest: dict[int, AuditRun] = {}
    runs = validation_runs().filter(version__in=versions)
    fields = ("id", "version_id", "verdict", "finished_at")
    for run in runs.order_by("finished_at", "id").only(*fields).iterator(chunk_size=5000):
        latest[run.version_id] = run
    return latest


def open_incidents(versions: QuerySet[ModelVersion] | None = None) -> QuerySet[Incident]:
    """The incidents not closed (those naming any of `versions`, when given), nearest
    reporting deadline first."""
    incidents = Incident.objects.exclude(status=IncidentStatus.CLOSED)
    if versions is not None:
        incidents = incidents.filter(
            pk__in=Incident.objects.filter(versions__in=versions).values("pk")
        )
    return incidents.order_by("report_deadline", "aware_at", "id")


def incident_facts(now: datetime, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Each incident with its versions, deadline and whether its report is overdue."""
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
        for i in incidents.prefetch_related("versions__model", "reports")
    ]


def _counts(values: Iterable[Any], order: list[Any]) -> list[tuple[Any, int]]:
    counted = Counter(values)
    return [(key, counted[key]) for key in order if counted[key]]

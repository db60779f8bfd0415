"""The portfolio page's standing: counts by tier and status and the first of each list of
exceptions (revalidations overdue and expiring, failing audits, open incidents, overdue
findings), each read with an aggregate or a limit, so the page answers in well under a second
at 10,000 models. The compliance report (reports.compliance) reads every row of the portfolio
instead, as a job; both apply the same rules: live versions, an approval lapsed at its expiry,
a version's newest validation audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audits.models import AuditRun
from audits.selectors import validation_runs
from governance import lifecycle
from governance.models import MLModel, ModelVersion, VersionStatus
from governance.selectors import finding_list, findings_overdue
from reports.compliance import FAILING, incident_facts, open_incidents
from reports.content import utc_text
from reports.findings import finding_facts

# How many of each list the page shows; the rest are one link away (the inventory's filters,
# the incident and finding registers).
SHOWN = 50
TIER_ORDER = (1, 2, 3, None)


@dataclass(frozen=True)
class Listed:
    """The first SHOWN items of a list and how many it holds."""

    items: list[Any]
    count: int

    @property
    def more(self) -> int:
        """How many the page leaves out."""
        return self.count - len(self.items)


def listed(query: QuerySet[Any]) -> Listed:
    return Listed(list(query[:SHOWN]), query.count())


def portfolio_standing(now: datetime | None = None) -> dict[str, Any]:
    """The whole portfolio's standing now, bounded for a page."""
    now = now or timezone.now()
    revalidations = lifecycle.revalidations(now=now)
    incidents = open_incidents()
    overdue_findings = findings_overdue().prefetch_related("acceptances")
    return {
        "generated_at": utc_text(now),
        "models": MLModel.objects.count(),
        "versions": ModelVersion.objects.count(),
        "by_tier": _tier_counts(),
        "by_status": _status_counts(),
        "overdue": listed(revalidations["overdue"]),
        "expiring": listed(revalidations["due"]),
        "notice_days": settings.WARDEN_REVALIDATION_NOTICE_DAYS,
        "failing": listed(failing_latest_audits()),
        "incidents": Listed(incident_facts(now, incidents[:SHOWN]), incidents.count()),
        "open_findings": finding_list(status="open").count(),
        "findings_overdue": Listed(
            finding_facts(overdue_findings[:SHOWN]), overdue_findings.count()
        ),
    }


def failing_latest_audits() -> QuerySet[AuditRun]:
    """Validation audits that fail or errored and are their version's newest (by finish time,
    then id, as the compliance report takes them), in the report's order (model name, newest
    version first): only the failing runs are looked at, each asked whether a newer one of its
    version exists."""
    newer = validation_runs().filter(
        Q(finished_at__gt=OuterRef("finished_at"))
        | Q(finished_at=OuterRef("finished_at"), id__gt=OuterRef("id")),
        version=OuterRef("version"),
    )
    return (
        validation_runs()
        .filter(verdict__in=FAILING)
        .exclude(Exists(newer))
        .select_related("version__model")
        .order_by("version__model__name", "-version__created_at", "-version_id")
    )


def _tier_counts() -> list[tuple[str, int]]:
    counted = dict(MLModel.objects.order_by().values_list("risk_tier").annotate(n=Count("id")))
    return [
        (f"Tier {tier}" if tier else "Not assessed", counted[tier])
        for tier in TIER_ORDER
        if counted.get(tier)
    ]


def _status_counts() -> list[tuple[str, int]]:
    counted = dict(ModelVersion.objects.order_by().values_list("status").annotate(n=Count("id")))
    return [
        (VersionStatus(code).label, counted[code])
        for code in VersionStatus.values
        if counted.get(code)
    ]

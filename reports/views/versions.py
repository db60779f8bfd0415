"""The version page, which composes every app (its status and decisions from governance, its
sets and runs from audits, the charts and the card from reports, the action forms of both lower
apps), and the side-by-side comparison with the previous version's latest audit."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from audits import selectors as audit_selectors
from audits.battery.metric_table import HIGHER, NEITHER, Metric, metric_of
from audits.forms import AuditRequestForm
from audits.models import AuditRun
from governance import selectors
from governance.forms import DecisionForm, ReasonForm
from governance.models import ModelType, VersionStatus
from governance.models.registry import APPROVED_STATUSES, TRANSITIONS
from governance.page_plumbing import AuthedRequest, reader_required, version_of
from governance.permissions import (
    can_raise_finding,
    can_red_team,
    can_start_audit,
    can_upload,
    user_can_change_team_models,
)
from governance.roles import Role
from governance.selectors import findings_of_version
from reports.content import audit_sections, check_title

CARD_STATUSES = (*APPROVED_STATUSES, VersionStatus.SUSPENDED, VersionStatus.RETIRED)


def compare_metrics(
    current: Mapping[str, Any] | None, previous: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Per check and headline metric: both values and whether this version did better or worse,
    by the direction the battery's metric table declares."""
    before = {c.get("id"): c for c in (previous or {}).get("checks") or []}
    rows = []
    for check in (current or {}).get("checks") or []:
        check_id = str(check.get("id"))
        old = before.get(check_id) or {}
        names = list(dict.fromkeys([*(check.get("metrics") or {}), *(old.get("metrics") or {})]))
        for name in names:
            now_value = (check.get("metrics") or {}).get(name)
            old_value = (old.get("metrics") or {}).get(name)
            rows.append(
                {
                    "check": check_title(check_id),
                    "metric": name,
                    "current": _shown(now_value),
                    "previous": _shown(old_value),
                    "change": _change(metric_of(check_id, name), now_value, old_value),
                }
            )
    return rows


def _change(metric: Metric | None, now: Any, old: Any) -> str:
    if not isinstance(now, int | float) or not isinstance(old, int | float):
        return "n/a"
    if abs(float(now) - float(old)) < 1e-9:
        return "same"
    if metric is None or metric.better == NEITHER:
        return "changed"
    higher = float(now) > float(old)
    return "better" if higher == (metric.better == HIGHER) else "worse"


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@reader_required
def version_page(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """A version: its status, evidence, latest audit with charts, signed decisions, and the
    actions the viewer may take."""
    target = version_of(slug, version)
    user = request.user
    latest = audit_selectors.latest_completed_run(target)
    is_team = user_can_change_team_models(user, target.model.team)
    is_officer = user.has_role(Role.RISK_OFFICER)
    status = target.status
    context = {
        "version": target,
        "model": target.model,
        "latest": latest,
        "sections": audit_sections(latest.result if latest else None),
        "runs": audit_selectors.runs_of_version(target),
        "previous": audit_selectors.previous_version(target),
        "sets": target.evaluation_sets.select_related("uploaded_by"),
        "approvals": target.approvals.prefetch_related("accepted"),
        "deployments": target.deployments.select_related("deployed_by"),
        "incidents": target.incidents.all(),
        "findings": findings_of_version(target),
        "can_raise_finding": can_raise_finding(user),
        "can_upload": can_upload(user, target),
        "can_submit": is_team and VersionStatus.SUBMITTED in TRANSITIONS[status],
        "revalidation": status in APPROVED_STATUSES,
        "can_reopen": is_team and status == VersionStatus.CHANGES_REQUESTED,
        "can_decide": is_officer and target.awaits_decision,
        "can_suspend": is_officer and target.is_live,
        "can_retire": (is_team or is_officer) and status != VersionStatus.RETIRED,
        "can_audit": can_start_audit(user, target),
        "has_card": status in CARD_STATUSES or target.is_live,
        "is_llm": target.model.model_type == ModelType.LLM,
        "red_team": selectors.red_team_counts([target]),
        "campaigns": selectors.red_team_campaign_list(target),
        "can_red_team": can_red_team(user, target) and status != VersionStatus.RETIRED,
        "decision_form": DecisionForm(version=target),
        "reason_form": ReasonForm(),
        "audit_form": AuditRequestForm(version=target),
        "signer": user,
    }
    return render(request, "reports/pages/version.html", context)


@reader_required
def compare_page(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """This version's latest completed audit beside the previous version's: what got better and
    what got worse, by each headline metric's direction."""
    target = version_of(slug, version)
    previous = audit_selectors.previous_version(target)
    current_run = audit_selectors.latest_completed_run(target)
    previous_run = audit_selectors.latest_completed_run(previous) if previous else None
    rows = compare_metrics(
        current_run.result if current_run else None, previous_run.result if previous_run else None
    )
    before = {c.get("id"): c.get("status") for c in _checks(previous_run)}
    checks = [
        (check_title(str(c.get("id"))), before.get(c.get("id")), c.get("status"))
        for c in _checks(current_run)
    ]
    context = {
        "version": target,
        "previous": previous,
        "checks": checks,
        "current_run": current_run,
        "previous_run": previous_run,
        "rows": rows,
        "better": sum(1 for row in rows if row["change"] == "better"),
        "worse": sum(1 for row in rows if row["change"] == "worse"),
    }
    return render(request, "reports/pages/compare.html", context)


def _checks(run: AuditRun | None) -> list[dict[str, Any]]:
    return list(((run.result if run else None) or {}).get("checks") or [])

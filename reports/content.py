"""What a model card shows, gathered from the registry and the audits as plain JSON-safe facts.

The facts are what the card states about the version; their sha256 (`state_sha256`) tells
whether an issued card is still current. Charts and headline tables are derived from the audit
result document by `audit_sections`, which needs no database, so the benchmark renders the same
template from a sample document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from audits.battery import CHECKS
from audits.battery.metric_table import metric_title
from audits.models import AuditRun
from audits.selectors import validation_runs
from governance.models import ModelVersion, RegulatoryRegime, TrailHead
from governance.selectors import findings_of_version, red_team_counts
from governance.trail import GENESIS_HASH, canonical_json, json_safe
from reports import charts, pictures
from reports.findings import finding_facts
from reports.llm_rates import llm_check_title, llm_rates
from reports.times import utc_text

# The checks whose details carry an accuracy curve, and what its x axis measures.
CURVE_AXIS = {"robustness": "epsilon", "adversarial": "epsilon", "corruption": "severity"}


def check_title(check_id: str) -> str:
    """A check's title as the battery declares it (its id, spaced, for a check it no longer
    runs)."""
    check = CHECKS.get(check_id)
    if check and check.title:
        return check.title
    return llm_check_title(check_id) or check_id.replace("_", " ").capitalize()


def card_facts(version: ModelVersion) -> dict[str, Any]:
    """Everything the card states about `version`, JSON-safe, without charts or signing."""
    model = version.model
    assessment = model.risk_assessment
    runs = list(
        validation_runs()
        .filter(version=version)
        .select_related("evaluation_set", "reference_set")
        .order_by("finished_at", "id")
    )
    shown = _shown_run(version, runs)
    facts = {
        "model": {
            "name": model.name,
            "slug": model.slug,
            "purpose": model.purpose,
            "intended_use": model.intended_use,
            "out_of_scope_uses": model.out_of_scope_uses,
            "owner": f"{model.owner.printed_name} ({model.owner.username})",
            "team": model.team.name,
            "model_type": model.get_model_type_display(),
            "vendor": model.vendor_name if model.is_vendor else "",
            "regimes": [_regime(r) for r in model.regulatory_regimes],
            "depends_on": sorted(m.slug for m in model.depends_on.all()),
        },
        "risk": _risk(model.risk_tier, assessment),
        "version": {
            "version": version.version,
            "status": version.get_status_display(),
            "status_code": version.status,
            "artifact_sha256": version.artifact_sha256,
            "artifact_format": version.get_artifact_format_display(),
            "artifact_size": version.artifact_size,
            "training_data": version.training_data_description,
            "limitations": version.limitations,
            "created_by": version.created_by.printed_name,
            "submitted_by": version.submitted_by.printed_name if version.submitted_by else "",
            "submitted_at": utc_text(version.submitted_at),
            "approval_expires_at": utc_text(version.approval_expires_at),
            "submitted_audit_run_id": version.submitted_audit_run_id,
            "submitted_audit_sha256": version.submitted_audit_sha256,
        },
        "evaluation_sets": [
            {
                "id": s.pk,
                "name": s.name,
                "role": s.get_role_display(),
                "rows": s.rows,
                "format": s.original_format,
                "sha256": s.original_sha256,
            }
            for s in version.evaluation_sets.order_by("uploaded_at", "id")
        ],
        "audits": [_run_summary(run, run is shown) for run in runs],
        "shown_audit_id": shown.pk if shown else None,
        "approvals": [
            {
                "id": a.pk,
                "decision": a.get_decision_display(),
                "signer": a.signer_printed_name,
                "manifestation": a.manifestation,
                "comment": a.comment,
                "conditions": a.conditions,
                "signed_sha256": a.signed_sha256,
                "audit_run_id": a.audit_run_id,
                "accepted_findings": [
                    {"finding": row.finding_id, "due_on": row.due_on.isoformat()}
                    for row in a.accepted.all()
                ],
                # only where there is one, so the facts (and state_sha256) of other cards stay
                **({"transcripts_sha256": a.transcripts_sha256} if a.transcripts_sha256 else {}),
            }
            for a in version.approvals.prefetch_related("accepted").order_by("signed_at", "id")
        ],
        "deployments": [
            {
                "environment": d.environment,
                "at": utc_text(d.deployed_at),
                "by": d.deployed_by.printed_name,
            }
            for d in version.deployments.select_related("deployed_by").order_by("deployed_at")
        ],
        "incidents": [
            {
                "id": i.pk,
                "title": i.title,
                "severity": i.get_severity_display(),
                "category": i.get_category_display(),
                "status": i.get_status_display(),
                "serious": i.get_serious_kind_display() if i.serious_kind else "",
                "aware_at": utc_text(i.aware_at),
                "report_deadline": utc_text(i.report_deadline),
                "reports": i.reports.count(),
                "corrective_actions": i.corrective_actions,
            }
            for i in version.incidents.order_by("aware_at", "id")
        ],
        "findings": finding_facts(findings_of_version(version).prefetch_related("acceptances")),
        "red_team": asdict(red_team_counts([version])),
    }
    return json_safe(facts)


def state_sha256(facts: Mapping[str, Any]) -> str:
    """sha256 of the facts: equal for two cards exactly when they state the same things."""
    return hashlib.sha256(canonical_json(facts).encode()).hexdigest()


def trail_head() -> tuple[int, str]:
    """The newest event's sequence number and hash (genesis when the trail is empty)."""
    head = TrailHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def audit_documents(version: ModelVersion) -> list[tuple[int, dict[str, Any]]]:
    """(run id, result document) of every validation audit of the version, oldest first."""
    runs = validation_runs().filter(version=version)
    ordered = runs.order_by("finished_at", "id").values_list("id", "result")
    return [(pk, doc or {}) for pk, doc in ordered]


def audit_sections(document: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """One section per check of a result document, in the battery's order: the check's title,
    status, headline numbers (titled by the metric table), findings, its charts
    (`{"title", "svg"}`, svg None when there was nothing to draw) and its example pictures
    (reports.pictures)."""
    checks = list((document or {}).get("checks") or [])
    rank = {check_id: i for i, check_id in enumerate(CHECKS)}
    checks.sort(key=lambda c: rank.get(c.get("id"), len(rank)))
    return [_section(check) for check in checks]


def _section(check: Mapping[str, Any]) -> dict[str, Any]:
    check_id = str(check.get("id"))
    details = check.get("details") or {}
    metrics = check.get("metrics") or {}
    headline = [(metric_title(check_id, name), _number(value)) for name, value in metrics.items()]
    return {
        "id": check_id,
        "title": check_title(check_id),
        "status": check.get("status", ""),
        "metrics": headline,
        "metric_rows": [headline[i : i + 2] for i in range(0, len(headline), 2)],
        "findings": [f for f in check.get("findings") or [] if isinstance(f, Mapping)],
        "charts": _charts(check_id, details),
        "drift_table": _drift_rows(details) if check_id == "drift" else [],
        "examples": pictures.example_strips(details),
        "rates": llm_rates(check_id, details),
    }


def _charts(check_id: str, details: Mapping[str, Any]) -> list[dict[str, Any]]:
    drawn: list[tuple[str, str | None]] = []
    if check_id == "performance":
        drawn.append(("Confusion matrix", charts.confusion_matrix_svg(details)))
    if check_id == "fairness":
        for name, attribute in (details.get("attributes") or {}).items():
            drawn.append((f"Rates by group: {name}", charts.group_rates_svg(attribute, name)))
    if check_id == "calibration":
        drawn.append(("Reliability diagram", charts.reliability_svg(details)))
    if check_id == "drift":
        drawn.append(("Feature drift", charts.drift_svg(details)))
    if axis := CURVE_AXIS.get(check_id):
        drawn.append((charts.CURVE_TITLES[axis], charts.robustness_svg(details, axis)))
    if "feature_importance" in details:
        importance = details["feature_importance"]
        drawn.append(("Feature importance", charts.feature_importance_svg(importance)))
    return [{"title": title, "svg": svg} for title, svg in drawn]


def _drift_rows(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "feature": name,
            "kind": item.get("kind", ""),
            "method": item.get("method", ""),
            "statistic": _number(item.get("statistic")),
            "p_value": _number(item.get("p_value")),
            "psi": _number(item.get("psi")),
            "drifted": bool(item.get("drifted")),
        }
        for name, item in (details.get("features") or {}).items()
        if isinstance(item, Mapping)
    ]


def _shown_run(version: ModelVersion, runs: list[AuditRun]) -> AuditRun | None:
    """The audit the version was submitted (and approved) with, else its latest."""
    for run in runs:
        if run.pk == version.submitted_audit_run_id:
            return run
    return runs[-1] if runs else None


def _run_summary(run: AuditRun, shown: bool) -> dict[str, Any]:
    document = run.result or {}
    policy = document.get("policy") or {}
    return {
        "id": run.pk,
        "shown": shown,
        "verdict": run.verdict,
        "result_sha256": run.result_sha256,
        "tier": run.tier,
        "policy": f"{policy.get('name', run.policy_name)} {policy.get('version', '')}".strip(),
        "finished_at": utc_text(run.finished_at),
        "evaluation_set": str(run.evaluation_set),
        "reference_set": str(run.reference_set) if run.reference_set else "",
        "dataset_sha256": (document.get("dataset") or {}).get("sha256", ""),
        "reference_sha256": (document.get("dataset") or {}).get("reference_sha256", ""),
        "status_reasons": list(document.get("status_reasons") or []),
    }


def _risk(tier: int | None, assessment: Any) -> dict[str, Any]:
    if assessment is None:
        return {"tier": tier, "assessed": False}
    return {
        "tier": tier,
        "assessed": True,
        "computed_tier": assessment.computed_tier,
        "rationale": assessment.rationale,
        "override_tier": assessment.override_tier,
        "override_by": assessment.override_by_name,
        "override_reason": assessment.override_reason,
        "answers": [
            (field.verbose_name.capitalize(), getattr(assessment, f"get_{field.name}_display")())
            for field in (
                assessment._meta.get_field(name)
                for name in (
                    "impact_on_people",
                    "decision_autonomy",
                    "data_sensitivity",
                    "decision_scale",
                    "regulatory_area",
                )
            )
        ],
        "assessed_at": utc_text(assessment.assessed_at),
    }


def _regime(value: str) -> str:
    try:
        return str(RegulatoryRegime(value).label)
    except ValueError:
        return value


def _number(value: Any) -> str:
    """A headline number as printed: 4 significant digits, booleans and text as they are."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "n/a"}[value]
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)

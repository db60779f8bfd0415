"""What the EU AI Act Annex IV technical documentation of a version states, sections 1 to 9,
gathered from the records as JSON-safe facts; each section lists plainly what is missing.
Rendering and signing are reports.documents' (no database there)."""

from __future__ import annotations

from typing import Any

from audits.models import Monitor
from governance.models import APPROVING_DECISIONS, Event, ModelVersion
from governance.trail import json_safe
from reports import content
from reports.crosswalk.coverage import ModelCoverage, coverage_of
from reports.crosswalk.evidence import Coverage, Need
from reports.crosswalk.resolvers import Subject, resolve
from reports.findings import attestation_facts

Section = dict[str, Any]


def annex_iv_facts(version: ModelVersion) -> dict[str, Any]:
    """The card's facts, the version's coverage and the nine Annex IV sections."""
    facts = content.card_facts(version)
    coverage = coverage_of(version.model, version)
    sections = [
        _general(facts),
        _development(facts),
        _functioning(facts),
        _metrics(facts, dict(content.audit_documents(version))),
        _risk(version, facts),
        _changes(version),
        _standards(version, facts, coverage),
        _declaration(facts),
        _monitoring(version),
    ]
    for number, section in enumerate(sections, start=1):
        section["number"] = number
    return json_safe({"card": facts, "sections": sections, "coverage": coverage.to_json()})


def _section(
    title: str,
    facts: list[tuple[str, str]],
    missing: list[str],
    lists: list[tuple[str, list[str]]] | None = None,
) -> Section:
    """A section's stated facts (a fact with no value is listed as missing instead)."""
    stated = [(label, value) for label, value in facts if value]
    gaps = [f"{label}: not stated" for label, value in facts if not value] + missing
    return {"title": title, "facts": stated, "missing": gaps, "lists": lists or []}


def _general(facts: dict[str, Any]) -> Section:
    m, v = facts["model"], facts["version"]
    return _section(
        "General description of the AI system",
        [
            ("Name and version", f"{m['name']} ({m['slug']}) {v['version']}"),
            ("Intended purpose", m["purpose"]),
            ("Intended use", m["intended_use"]),
            ("Uses out of scope", m["out_of_scope_uses"]),
            ("Provider (owner, team)", f"{m['owner']}, team {m['team']}"),
            ("Model type", m["model_type"]),
            ("Form supplied", f"{v['artifact_format']} artifact, sha256 {v['artifact_sha256']}"),
            ("Vendor", m["vendor"] or "built in-house"),
            ("Depends on", ", ".join(m["depends_on"]) or "no other model"),
            ("Regulatory regimes", "; ".join(m["regimes"])),
        ],
        [],
    )


def _development(facts: dict[str, Any]) -> Section:
    v = facts["version"]
    logs = [
        f"Audit #{a['id']} finished {a['finished_at']}: verdict {a['verdict']} under {a['policy']} "
        f"for tier {a['tier']}, on {a['evaluation_set']}, result sha256 {a['result_sha256']}"
        for a in facts["audits"]
    ]
    signatures = [a["manifestation"] for a in facts["approvals"]]
    data = [
        f"{s['name']} ({s['role']}, {s['rows']} rows), sha256 {s['sha256']}"
        for s in facts["evaluation_sets"]
    ]
    missing = [
        label
        for label, rows in (
            ("Validation and test data: no evaluation set uploaded", data),
            ("Validation and test logs: no completed audit", logs),
            ("Signatures: no signed decision on this version", signatures),
        )
        if not rows
    ]
    return _section(
        "Elements of the system and its development",
        [("Training data", v["training_data"]), ("Created by", v["created_by"])],
        missing,
        lists=[
            ("Validation and test data", data),
            ("Validation and test logs", logs),
            ("Signatures", signatures),
        ],
    )


def _functioning(facts: dict[str, Any]) -> Section:
    r = facts["risk"]
    oversight = dict(r.get("answers") or []).get("Decision autonomy", "")
    return _section(
        "Monitoring, functioning and control",
        [("Known limitations", facts["version"]["limitations"]), ("Human oversight", oversight)],
        [],
    )


def _metrics(facts: dict[str, Any], documents: dict[int, Any]) -> Section:
    shown = documents.get(facts["shown_audit_id"]) if facts["shown_audit_id"] else None
    rows = [
        f"{s['title']} ({s['status']}): " + "; ".join(f"{k} {value}" for k, value in s["metrics"])
        for s in content.audit_sections(shown)
        if s["metrics"]
    ]
    missing = [] if rows else ["Performance metrics: no completed audit measured any"]
    return _section(
        "Appropriateness of the performance metrics",
        [],
        missing,
        lists=[("Headline metrics of the audit shown", rows)],
    )


def _unless_evidenced(version: ModelVersion, kind: str, label: str) -> list[str]:
    """The record kind's gap, as its resolver states it (awaited kinds: not in Warden yet)."""
    found = resolve(Subject(version.model, version), Need(kind))
    return [] if found.status == Coverage.SATISFIED else [f"{label}: {found.note}"]


def _finding_line(f: dict[str, Any]) -> str:
    """One validation finding as the risk management section lists it."""
    accepted = ", ".join(f"#{pk}" for pk in f["accepted_by_approvals"])
    return (
        f"#{f['id']} {f['title']}: {f['severity']}, {f['status']}, due {f['due_on']}"
        + (" (overdue)" if f["overdue"] else "")
        + (f", accepted by approval {accepted}" if accepted else "")
    )


def _risk(version: ModelVersion, facts: dict[str, Any]) -> Section:
    r = facts["risk"]
    incidents = [
        f"#{i['id']} {i['title']}: {i['severity']}, {i['status']}"
        + (
            f", serious ({i['serious']}), report due {i['report_deadline']}, {i['reports']} made"
            if i["serious"]
            else ""
        )
        for i in facts["incidents"]
    ]
    findings = [_finding_line(f) for f in facts["findings"]]
    stated = [("Risk tier", f"tier {r['tier']}" if r.get("assessed") else "")]
    if r.get("assessed"):
        stated.append(("Rationale", r["rationale"]))
        if r.get("override_tier"):
            stated.append(
                (
                    "Override",
                    f"tier {r['override_tier']} by {r['override_by']}: {r['override_reason']}",
                )
            )
    return _section(
        "Risk management system",
        stated,
        _unless_evidenced(version, "finding", "Validation findings"),
        lists=[("Validation findings", findings), ("Incidents", incidents)],
    )


def _changes(version: ModelVersion) -> Section:
    versions = [
        f"{v.version}: {v.get_status_display()}, created {content.utc_text(v.created_at)}, "
        f"artifact sha256 {v.artifact_sha256}"
        for v in version.model.versions.order_by("created_at", "id")
    ]
    events = Event.objects.filter(target_type="governance.modelversion", target_id=str(version.pk))
    history = [
        f"#{e.seq} {content.utc_text(e.occurred_at)}: {e.get_verb_display()} "
        f"by {e.actor_name or 'the system'}"
        for e in events.order_by("seq")
    ]
    attested = [
        f"{a['manifestation']}, over " + ", ".join(v["version"] for v in a["versions"])
        for a in attestation_facts(version.model.attestations.select_related("model"))
    ]
    return _section(
        "Changes over the life cycle",
        [],
        _unless_evidenced(version, "attestation", "Attestation of use as approved"),
        lists=[
            ("Versions", versions),
            ("Trail of this version", history),
            ("Attestations of no material change", attested),
        ],
    )


def _standards(version: ModelVersion, facts: dict[str, Any], coverage: ModelCoverage) -> Section:
    frameworks = [
        f"{f.framework.title}: {f.counts['satisfied']} satisfied, {f.counts['partial']} partial, "
        f"{f.counts['missing']} missing"
        for f in coverage.frameworks
    ]
    policies = sorted({a["policy"] for a in facts["audits"]})
    run = Subject(version.model, version).latest_run
    policy = run.policy if run else None
    stated = [("Audit policies applied", ", ".join(policies))]
    if policy is not None and policy.approved_by_id is not None:  # four eyes; the seed has none
        stated.append(("Policy approval", f"{policy}: {policy.manifestation}"))
    return _section(
        "Standards and specifications applied",
        stated,
        _unless_evidenced(version, "policy_version", "Harmonised standards and policies"),
        lists=[("Frameworks assessed", frameworks)],
    )


def _declaration(facts: dict[str, Any]) -> Section:
    approving = {str(d.label) for d in APPROVING_DECISIONS}
    approvals = [a["manifestation"] for a in facts["approvals"] if a["decision"] in approving]
    missing = ["EU declaration of conformity: not a Warden record; attach the signed declaration"]
    if not approvals:
        missing.insert(0, "Approval: no approving e-signature on this version")
    return _section(
        "EU declaration of conformity", [], missing, lists=[("Approving signatures", approvals)]
    )


def _monitoring(version: ModelVersion) -> Section:
    monitors = Monitor.objects.filter(model=version.model).select_related("version", "last_run")
    plan = [
        f"Monitor of {m.version.version} every {m.every_hours} h "
        f"({'active' if m.active else 'inactive'})"
        + (f", last audit #{m.last_run.pk}: {m.last_run.status}" if m.last_run else ", not run yet")
        for m in monitors
    ]
    missing = (
        [] if plan else ["Post-market monitoring plan: no monitor is scheduled for this model"]
    )
    return _section("Post-market monitoring plan", [], missing, lists=[("Monitors", plan)])

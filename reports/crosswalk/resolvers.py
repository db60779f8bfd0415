"""The evidence resolvers: one function per kind of Warden record a control can rest on, in
one explicit dict (`RESOLVERS`). Work that adds a record kind plugs its resolver in with
`evidence_resolver_register`; until then its kind (evidence.AWAITED_KINDS) resolves missing."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.urls import reverse

from audits import selectors as audit_selectors
from audits.models import AuditRun, Monitor, RunStatus, Verdict
from governance.models import APPROVING_DECISIONS, Approval, Incident, MLModel, ModelVersion
from governance.models.incidents import IncidentStatus
from governance.models.registry import DecisionAutonomy
from governance.trail import TrailVerdict, trail_verify
from reports.crosswalk.evidence import AWAITED_KINDS, CHECK_KIND, Coverage, Evidence, Link, Need
from reports.crosswalk.governed import GOVERNED_RESOLVERS
from reports.models import Report, ReportKind

S, P, M = Coverage.SATISFIED, Coverage.PARTIAL, Coverage.MISSING
NO_VERSION = Evidence(M, "the model has no version yet")


class Subject:
    """The model (and version: the newest when none is named) coverage is computed for, each
    record fetched once however many controls ask for it."""

    def __init__(self, model: MLModel, version: ModelVersion | None = None) -> None:
        self.model = model
        self.version = version or model.versions.order_by("-created_at", "-id").first()

    def version_link(self) -> Link:
        v = self.version
        assert v is not None
        url = reverse("version-page", kwargs={"slug": self.model.slug, "version": v.version})
        return Link(f"Version {v.version}", url)

    def model_link(self, label: str = "") -> Link:
        return Link(label or self.model.name, reverse("model-page", args=[self.model.slug]))

    @cached_property
    def latest_run(self) -> AuditRun | None:
        return audit_selectors.latest_completed_run(self.version) if self.version else None

    @cached_property
    def approvals(self) -> list[Approval]:
        return list(self.version.approvals.order_by("signed_at", "id")) if self.version else []

    @cached_property
    def monitors(self) -> list[Monitor]:
        return list(Monitor.objects.filter(model=self.model).select_related("last_run"))

    @cached_property
    def incidents(self) -> list[Incident]:
        found = Incident.objects.filter(versions__model=self.model).distinct()
        return list(found.prefetch_related("reports").order_by("aware_at", "id"))

    @cached_property
    def trail(self) -> TrailVerdict:
        return trail_verify()


Resolver = Callable[[Subject, Need], Evidence]


def _filled(names: dict[str, str], what: str, link: Link) -> Evidence:
    empty = [label for label, text in names.items() if not text.strip()]
    if not empty:
        return Evidence(S, f"{what} stated", (link,))
    status = M if len(empty) == len(names) else P
    return Evidence(status, "not stated: " + ", ".join(empty), (link,))


def model_description(subject: Subject, need: Need) -> Evidence:
    m = subject.model
    fields = {
        "purpose": m.purpose,
        "intended use": m.intended_use,
        "out-of-scope uses": m.out_of_scope_uses,
    }
    return _filled(fields, "purpose and uses", subject.model_link())


def inventory_entry(subject: Subject, need: Need) -> Evidence:
    m = subject.model
    link = subject.model_link(f"{m.name} in the inventory")
    if m.is_vendor and not m.vendor_name:
        return Evidence(P, "a vendor model whose vendor is not named", (link,))
    if m.risk_tier is None:
        return Evidence(P, "registered with an owner, but no risk tier yet", (link,))
    return Evidence(S, f"registered, owned by {m.owner.printed_name}, tier {m.risk_tier}", (link,))


def risk_assessment(subject: Subject, need: Need) -> Evidence:
    assessment = subject.model.risk_assessment
    if assessment is None:
        return Evidence(M, "no risk assessment has been filed")
    note = f"tier {assessment.tier}, assessed {assessment.assessed_at:%Y-%m-%d}"
    return Evidence(S, note, (subject.model_link("Risk assessment"),))


def human_oversight(subject: Subject, need: Need) -> Evidence:
    assessment = subject.model.risk_assessment
    if assessment is None:
        return Evidence(M, "no risk assessment states who reviews the decisions")
    link = subject.model_link("Risk assessment")
    if assessment.decision_autonomy == DecisionAutonomy.AUTOMATED:
        return Evidence(P, "decisions are automated: no person reviews them", (link,))
    return Evidence(S, assessment.get_decision_autonomy_display(), (link,))


def training_data_described(subject: Subject, need: Need) -> Evidence:
    if subject.version is None:
        return NO_VERSION
    fields = {"training data": subject.version.training_data_description}
    return _filled(fields, "training data", subject.version_link())


def limitations_stated(subject: Subject, need: Need) -> Evidence:
    if subject.version is None:
        return NO_VERSION
    return _filled(
        {"limitations": subject.version.limitations}, "limitations", subject.version_link()
    )


def evaluation_data(subject: Subject, need: Need) -> Evidence:
    if subject.version is None:
        return NO_VERSION
    roles = set(subject.version.evaluation_sets.values_list("role", flat=True))
    if not roles:
        return Evidence(M, "no evaluation set has been uploaded")
    status = S if "current" in roles else P
    return Evidence(status, "sets uploaded: " + ", ".join(sorted(roles)), (subject.version_link(),))


def _run_link(run: AuditRun) -> Link:
    return Link(f"Audit #{run.pk}", reverse("audit-page", args=[run.pk]))


def audit_completed(subject: Subject, need: Need) -> Evidence:
    run = subject.latest_run
    if run is None:
        return Evidence(M, "no completed audit")
    when = f"{run.finished_at:%Y-%m-%d}" if run.finished_at else ""
    note = f"verdict {run.verdict} under {run.policy_name} {run.policy_version}, {when}"
    return Evidence(P if run.verdict == Verdict.FAIL else S, note, (_run_link(run),))


def audit_check(subject: Subject, need: Need) -> Evidence:
    run = subject.latest_run
    if run is None:
        return Evidence(M, f"no completed audit measured {need.check}")
    checks = {c.get("id"): c for c in (run.result or {}).get("checks") or []}
    status = str((checks.get(need.check) or {}).get("status", ""))
    if status in ("", "skipped", "error"):
        return Evidence(M, f"audit #{run.pk} did not measure {need.check}", (_run_link(run),))
    found = P if status == "fail" else S
    return Evidence(found, f"{need.check}: {status} in audit #{run.pk}", (_run_link(run),))


def approval_signature(subject: Subject, need: Need) -> Evidence:
    if not subject.approvals:
        return Evidence(M, "no signed decision")
    links = (subject.version_link(),)
    signed = [a for a in subject.approvals if a.decision in APPROVING_DECISIONS]
    if not signed:
        return Evidence(P, "decisions signed, none approving", links)
    names = ", ".join(f"{a.signer_printed_name} {a.signed_at:%Y-%m-%d}" for a in signed)
    return Evidence(S, f"approved with e-signature by {names}", links)


def deployment_record(subject: Subject, need: Need) -> Evidence:
    if subject.version is None:
        return NO_VERSION
    count = subject.version.deployments.count()
    if not count:
        return Evidence(M, "no deployment recorded")
    return Evidence(S, f"{count} deployment(s) recorded", (subject.version_link(),))


def version_history(subject: Subject, need: Need) -> Evidence:
    count = subject.model.versions.count()
    if not count:
        return NO_VERSION
    return Evidence(
        S, f"{count} version(s), each with its artifact sha256", (subject.model_link(),)
    )


def _report(subject: Subject, kind: ReportKind, title: str) -> Evidence:
    if subject.version is None:
        return NO_VERSION
    report = Report.objects.filter(kind=kind, version=subject.version).first()
    if report is None:
        return Evidence(M, f"no {title} issued for this version")
    link = Link(f"{report.get_kind_display()} {report.record}", reverse("documents"))
    return Evidence(S, f"signed {report.signed_at:%Y-%m-%d} by {report.signer_name}", (link,))


def model_card(subject: Subject, need: Need) -> Evidence:
    return _report(subject, ReportKind.MODEL_CARD, "model card")


def annex_iv_document(subject: Subject, need: Need) -> Evidence:
    return _report(subject, ReportKind.ANNEX_IV, "Annex IV document")


def monitoring_plan(subject: Subject, need: Need) -> Evidence:
    if not subject.monitors:
        return Evidence(M, "no monitoring plan: no monitor is scheduled for this model")
    active = [m for m in subject.monitors if m.active]
    if not active:
        return Evidence(P, "monitors exist but none is active")
    every = ", ".join(f"every {m.every_hours} h on {m.version.version}" for m in active)
    return Evidence(S, f"monitoring audits {every}", (subject.model_link(),))


def monitoring_runs(subject: Subject, need: Need) -> Evidence:
    if not subject.monitors:
        return Evidence(M, "no monitoring plan, so no monitoring audit has run")
    runs = [m.last_run for m in subject.monitors if m.last_run is not None]
    done = [r for r in runs if r.status == RunStatus.COMPLETED]
    if not done:
        return Evidence(P, "scheduled, but no monitoring audit has completed yet")
    latest = max(done, key=lambda r: (r.finished_at is not None, r.finished_at, r.pk))
    return Evidence(
        S, f"latest monitoring audit #{latest.pk}: {latest.verdict}", (_run_link(latest),)
    )


def incident_reporting(subject: Subject, need: Need) -> Evidence:
    serious = [i for i in subject.incidents if i.is_serious]
    if not serious:
        return Evidence(S, "no serious incident on record; deadlines are computed when one is")
    links = tuple(Link(f"Incident #{i.pk}", reverse("incident-page", args=[i.pk])) for i in serious)
    unsettled = [i for i in serious if not i.report_settled and i.status != IncidentStatus.CLOSED]
    if unsettled:
        names = ", ".join(
            f"#{i.pk} due {i.report_deadline:%Y-%m-%d}" for i in unsettled if i.report_deadline
        )
        return Evidence(P, f"serious incidents not yet reported: {names or len(unsettled)}", links)
    return Evidence(S, f"{len(serious)} serious incident(s), each reported or signed off", links)


def trail_verified(subject: Subject, need: Need) -> Evidence:
    verdict = subject.trail
    link = Link("The trail", reverse("trail"))
    if not verdict.intact:
        return Evidence(
            M, f"the trail is broken at event #{verdict.broken_seq}: {verdict.reason}", (link,)
        )
    return Evidence(S, f"hash chain intact over {verdict.events} events", (link,))


RESOLVERS: dict[str, Resolver] = {
    "model_description": model_description,
    "inventory_entry": inventory_entry,
    "risk_assessment": risk_assessment,
    "human_oversight": human_oversight,
    "training_data_described": training_data_described,
    "limitations_stated": limitations_stated,
    "evaluation_data": evaluation_data,
    "audit_completed": audit_completed,
    CHECK_KIND: audit_check,
    "approval_signature": approval_signature,
    "deployment_record": deployment_record,
    "version_history": version_history,
    "model_card": model_card,
    "annex_iv_document": annex_iv_document,
    "monitoring_plan": monitoring_plan,
    "monitoring_runs": monitoring_runs,
    "incident_reporting": incident_reporting,
    "trail_verified": trail_verified,
    **GOVERNED_RESOLVERS,
}


def evidence_resolver_register(kind: str, resolver: Resolver) -> None:
    """Plug in the resolver of a record kind another app adds (an awaited kind, or a new one)."""
    RESOLVERS[kind] = resolver


def known_kinds() -> set[str]:
    return set(RESOLVERS) | set(AWAITED_KINDS)


def resolve(subject: Subject, need: Need) -> Evidence:
    resolver = RESOLVERS.get(need.kind)
    if resolver is None:
        return Evidence(M, f"no {AWAITED_KINDS.get(need.kind, need.kind)} in Warden yet")
    return resolver(subject, need)

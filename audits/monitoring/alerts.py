"""Alerts from the policy: a batch's figure past its tier's warn threshold in the policy's
`monitor_alert_batches` consecutive batches, or past its fail threshold in one, records a
`monitor_alerted` event (announced by the outbox as `monitor.alert`) and e-mails the model's
owner and the risk officers; the batch that first crosses fail drafts an incident with the
batch's evidence, owned by a risk officer."""

from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.battery import POLICY
from audits.battery.policy import Policy, Rule
from audits.models import AuditRun, MetricPoint, MonitorBatch, PointKind
from audits.monitoring.points import Point
from audits.policies import policy_of
from governance.errors import ServiceError
from governance.incidents import incident_report
from governance.models import EventVerb, Incident, IncidentCategory, Severity
from governance.notifications import notify, risk_officers
from governance.trail import event_record

WARN, FAIL = "warn", "fail"
# The incident category a failing check's figure is drafted under.
CATEGORY_OF = {
    "drift": IncidentCategory.DRIFT,
    "fairness": IncidentCategory.BIAS,
    "performance": IncidentCategory.PERFORMANCE,
    "calibration": IncidentCategory.PERFORMANCE,
}


@dataclass(frozen=True)
class Breach:
    """A figure past a threshold: how far, and in how many batches in a row."""

    metric: str
    value: float
    severity: str
    warn: float | None
    fail: float | None
    consecutive: int

    def to_json(self) -> dict:
        return asdict(self)


def severity(rule: Rule, value: float) -> str | None:
    """ "fail", "warn" or None: the worst threshold of the rule the value is past."""
    for name, limit in ((FAIL, rule.fail), (WARN, rule.warn)):
        if limit is not None and rule.metric.breached(value, limit):
            return name
    return None


def _earlier_values(batch: MonitorBatch, metric: str, kind: str, count: int) -> list[float]:
    """The metric's values in the monitor's `count` batches before this one, latest first."""
    earlier = Q(batch_time__lt=batch.batch_time) | Q(
        batch_time=batch.batch_time, batch_id__lt=batch.pk
    )
    points = MetricPoint.objects.filter(
        earlier, monitor_id=batch.monitor_id, metric=metric, subject__isnull=True, kind=kind
    )
    return list(points.order_by("-batch_time", "-batch_id").values_list("value", flat=True)[:count])


def run_policy(run: AuditRun) -> Policy:
    """The policy a batch's audit was judged under (the built-in one for a run that names none)."""
    return policy_of(run.policy) if run.policy else POLICY


def run_rules(run: AuditRun) -> dict[str, Rule]:
    """The run's policy's rules in its tier, by history metric name (`drift.drift_share`)."""
    return {f"{r.metric.check}.{r.metric.name}": r for r in run_policy(run).rules(run.tier)}


def batch_alerts(*, batch: MonitorBatch, run: AuditRun, points: list[Point], kind: str) -> None:
    """Judge the batch's figures under the run's policy and tier, alerting and drafting an
    incident as the module says; in the caller's transaction."""
    rules = run_rules(run)
    needed = run_policy(run).monitor_alert_batches
    alerting: list[Breach] = []
    crossed: list[Breach] = []
    for point in points:
        rule = rules.get(point.metric)
        found = severity(rule, point.value) if rule and point.subject is None else None
        if rule is None or found is None:
            continue
        earlier = _earlier_values(batch, point.metric, kind, max(needed - 1, 1))
        streak = 1
        for value in earlier:
            if severity(rule, value) is None:
                break
            streak += 1
        breach = Breach(point.metric, point.value, found, rule.warn, rule.fail, streak)
        if found == FAIL or streak >= needed:
            alerting.append(breach)
        if found == FAIL and (not earlier or severity(rule, earlier[0]) != FAIL):
            crossed.append(breach)
    if alerting:
        _alert(batch, run, alerting, kind)
    if crossed:
        _incident_draft(batch, run, crossed, kind)


def _named(metric: str, kind: str) -> str:
    """The metric as people read it: an estimate (CBPE, before labels) says it is one."""
    return f"estimated {metric}" if kind == PointKind.ESTIMATED else metric


def _describe(breaches: list[Breach], kind: str) -> str:
    return "; ".join(
        f"{_named(b.metric, kind)} {b.value:.4g} past {b.severity} "
        f"{b.fail if b.severity == FAIL else b.warn} ({b.consecutive} batch(es) in a row)"
        for b in breaches
    )


def _alert(batch: MonitorBatch, run: AuditRun, breaches: list[Breach], kind: str) -> None:
    monitor = batch.monitor
    summary = _describe(breaches, kind)
    event_record(
        actor=None,
        verb=EventVerb.MONITOR_ALERTED,
        target=monitor,
        after={
            "batch": batch.pk,
            "run": run.pk,
            "batch_time": batch.batch_time.isoformat(),
            "kind": kind,
            "breaches": [b.to_json() for b in breaches],
        },
        note=f"monitor #{monitor.pk}, batch #{batch.pk}: {summary}"[:5000],
    )
    recipients = [monitor.model.owner, *risk_officers()]
    estimate = " (estimated, no labels yet)" if kind == PointKind.ESTIMATED else ""
    subject = f"monitor alert{estimate}: {monitor.model.name} {monitor.version.version}"
    transaction.on_commit(lambda: notify(recipients, subject, summary))


def _incident_draft(batch: MonitorBatch, run: AuditRun, breaches: list[Breach], kind: str) -> None:
    """An open incident on the monitored version, reported on behalf of the monitor's creator
    (its description says a monitor drafted it) and owned by the longest-standing risk
    officer; its description carries the batch's evidence. If the creator may no longer
    report incidents it is not drafted, and the trail says why."""
    monitor = batch.monitor
    officers = sorted(risk_officers(), key=lambda user: user.pk)
    first = breaches[0]
    stored = batch.evaluation_set
    evidence = "\n".join(
        [
            f"Drafted by monitor #{monitor.pk} of {monitor.model.name} {monitor.version.version}.",
            f"Batch #{batch.pk} of {batch.batch_time.isoformat()}: {stored.rows} rows, "
            f"file sha256 {stored.original_sha256}.",
            f"Audit #{run.pk}, result sha256 {run.result_sha256}, policy "
            f"{run.policy_name} {run.policy_version}, tier {run.tier}.",
            f"Breaches: {_describe(breaches, kind)}.",
            *(
                ["Estimated by CBPE from the batch's scores: its labels have not arrived."]
                if kind == PointKind.ESTIMATED
                else []
            ),
            f"History: /api/monitors/{monitor.pk}/history/?metric={first.metric}&kind={kind}",
        ]
    )
    if monitor.created_by is None:
        return
    try:
        with transaction.atomic():
            incident_report(
                actor=monitor.created_by,
                versions=[monitor.version],
                title=f"Monitor #{monitor.pk}: {_named(first.metric, kind)} {first.value:.4g} "
                "past fail",
                severity=Severity.HIGH,
                category=CATEGORY_OF.get(first.metric.split(".")[0], IncidentCategory.OTHER),
                description=evidence,
                aware_at=timezone.now(),
                owner=officers[0] if officers else None,
            )
    except ServiceError as error:
        event_record(
            actor=None,
            verb=EventVerb.MONITOR_ALERTED,
            target=monitor,
            after={"batch": batch.pk, "run": run.pk, "incident_not_drafted": str(error)},
            note=f"incident not drafted for batch #{batch.pk}: {error}",
        )


def incidents_of(monitor_id: int) -> list[Incident]:
    """Incidents a monitor drafted (their description names it), newest first."""
    drafted = f"Drafted by monitor #{monitor_id} "
    return list(Incident.objects.filter(description__startswith=drafted).order_by("-id"))

"""Build a synthetic portfolio (issue #20): teams, people, models, versions, audits, decisions,
deployments, incidents and their chained trail, with bulk inserts, for benchmarks at scale."""

import hashlib
import json
import random
import time
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from audits.models import AuditRun, RunStatus, Verdict
from governance.attestations import attestation_clocks_reset
from governance.models import (
    Approval,
    Deployment,
    Event,
    EventVerb,
    Incident,
    MLModel,
    ModelVersion,
    RiskAssessment,
    Team,
    TrailHead,
    User,
)
from governance.models.decisions import DecisionKind, SignatureMeaning
from governance.models.incidents import IncidentCategory, IncidentStatus, Severity
from governance.models.registry import (
    ArtifactFormat,
    DataSensitivity,
    DecisionAutonomy,
    DecisionScale,
    ImpactOnPeople,
    ModelType,
    RegulatoryArea,
    VersionStatus,
)
from governance.roles import Role, roles_sync
from governance.trail import GENESIS_HASH, event_content, event_hash

PASSWORD = "portfolio-pass"
TIER_WEIGHTS = {1: 0.15, 2: 0.35, 3: 0.50}  # most of a bank's models are low risk
# the newest version's status, roughly as a mature inventory holds them
LATEST_STATUS_WEIGHTS = {
    VersionStatus.DEPLOYED: 0.45,
    VersionStatus.APPROVED: 0.15,
    VersionStatus.SUBMITTED: 0.12,
    VersionStatus.DRAFT: 0.12,
    VersionStatus.CHANGES_REQUESTED: 0.06,
    VersionStatus.REJECTED: 0.03,
    VersionStatus.SUSPENDED: 0.02,
    VersionStatus.RETIRED: 0.05,
}
VERDICT_WEIGHTS = {Verdict.PASS: 0.7, Verdict.WARN: 0.22, Verdict.FAIL: 0.08}
BATCH = 2000
EVENT_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "verb",
    "target_type",
    "target_id",
    "target_repr",
    "before",
    "after",
    "note",
    "request_id",
    "prev_hash",
    "hash",
)


def weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--models", type=int, default=10_000)
        parser.add_argument("--versions-per-model", type=int, default=3)
        parser.add_argument("--teams", type=int, default=40)
        parser.add_argument("--seed", type=int, default=20)
        parser.add_argument(
            "--allow-existing",
            action="store_true",
            help="add to a database that already holds models (never on one with real records)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["models"] < 1 or options["versions_per_model"] < 1 or options["teams"] < 1:
            raise CommandError("--models, --versions-per-model and --teams must be at least 1")
        if MLModel.objects.exists() and not options["allow_existing"]:
            raise CommandError(
                "this database already holds models: the portfolio is for an empty benchmark "
                "database (pass --allow-existing to add to it anyway)"
            )
        started = time.perf_counter()
        portfolio = Portfolio(options)
        with transaction.atomic():
            counts = portfolio.build()
        portfolio.chain()
        if connection.vendor == "postgresql":
            # Planner statistics for the bulk-loaded tables, as a restore is followed by: until
            # autovacuum gets to them, PostgreSQL plans for empty tables (the risk officer's
            # home took 51 s instead of 0.2 s on a fresh 10,000-model build).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(f"portfolio built in {time.perf_counter() - started:.1f} s: {summary}")


class Portfolio:
    """One build: deterministic for a seed, every row inserted in batches in one transaction,
    then the trail chained on after the existing head so verify_trail holds."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.rng = random.Random(options["seed"])
        self.models = options["models"]
        self.per_model = options["versions_per_model"]
        self.team_count = options["teams"]
        self.now = timezone.now()
        self.tag = f"p{options['seed']}-{MLModel.objects.count()}"
        self.events: list[Event] = []

    def build(self) -> dict[str, int]:
        roles_sync()
        teams = Team.objects.bulk_create(
            Team(name=f"Team {self.tag} {i:03d}", slug=f"team-{self.tag}-{i:03d}")
            for i in range(self.team_count)
        )
        engineers = self.users(Role.ENGINEER, 3 * self.team_count, teams)
        officers = self.users(Role.RISK_OFFICER, max(4, self.team_count // 4), None)
        self.users(Role.AUDITOR, 3, None)
        models = self.mlmodels(teams, engineers)
        versions = self.versions(models)
        runs = self.audits(versions)
        approvals = self.approvals(versions, runs, officers)
        attestation_clocks_reset(MLModel.objects.filter(pk__in=[m.pk for m in models]))
        deployments = self.deployments(versions)
        incidents = self.incidents(versions, officers)
        return {
            "teams": len(teams),
            "models": len(models),
            "versions": len(versions),
            "audits": len(runs),
            "approvals": approvals,
            "deployments": deployments,
            "incidents": incidents,
            "events": len(self.events),
        }

    def users(self, role: str, count: int, teams: list[Team] | None) -> list[User]:
        password = make_password(PASSWORD)
        users = User.objects.bulk_create(
            User(
                username=f"{role}-{self.tag}-{i:04d}",
                first_name=role.replace("_", " ").title(),
                last_name=f"{i:04d}",
                email=f"{role}-{i}@portfolio.test",
                password=password,
                team=teams[i % len(teams)] if teams else None,
            )
            for i in range(count)
        )
        group = Group.objects.get(name=role)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=group.pk) for user in users
        )
        return users

    def mlmodels(self, teams: list[Team], engineers: list[User]) -> list[MLModel]:
        rng = self.rng
        # a few large teams hold most models (Zipf-like), as in a real bank
        team_weights = [1 / (rank + 1) for rank in range(len(teams))]
        rows = []
        for i in range(self.models):
            team_index = rng.choices(range(len(teams)), weights=team_weights)[0]
            owner = engineers[team_index + len(teams) * rng.randrange(3)]
            kind = rng.choice(["credit", "fraud", "churn", "pricing", "triage", "ranking"])
            rows.append(
                MLModel(
                    name=f"{kind.title()} model {i:05d}",
                    slug=f"{kind}-{self.tag}-{i:05d}",
                    purpose=f"Scores {kind} cases for team {teams[team_index].name}.",
                    owner=owner,
                    team=teams[team_index],
                    model_type=rng.choice(ModelType.values[:3]),
                    is_vendor=rng.random() < 0.1,
                    regulatory_regimes=rng.sample(["eu_ai_act", "sr_11_7", "gdpr"], 1),
                    risk_tier=weighted(rng, TIER_WEIGHTS),
                )
            )
        models = MLModel.objects.bulk_create(rows, batch_size=BATCH)
        assessments = RiskAssessment.objects.bulk_create(
            (
                RiskAssessment(
                    model=model,
                    impact_on_people=ImpactOnPeople.SIGNIFICANT
                    if model.risk_tier == 1
                    else ImpactOnPeople.LOW,
                    decision_autonomy=DecisionAutonomy.HUMAN_IN_THE_LOOP,
                    data_sensitivity=DataSensitivity.PERSONAL,
                    decision_scale=DecisionScale.LARGE,
                    regulatory_area=RegulatoryArea.CREDIT
                    if model.risk_tier == 1
                    else RegulatoryArea.NONE,
                    computed_tier=model.risk_tier or 3,
                    rationale="Synthetic portfolio assessment.",
                    tier=model.risk_tier or 3,
                    assessed_by=model.owner,
                )
                for model in models
            ),
            batch_size=BATCH,
        )
        for model, assessment in zip(models, assessments, strict=True):
            model.risk_assessment = assessment
            self.event(model.owner, EventVerb.MODEL_REGISTERED, model, {"slug": model.slug})
        MLModel.objects.bulk_update(models, ["risk_assessment"], batch_size=BATCH)
        return models

    def versions(self, models: list[MLModel]) -> list[ModelVersion]:
        rows = []
        for model in models:
            for n in range(self.per_model):
                newest = n == self.per_model - 1
                status = (
                    weighted(self.rng, LATEST_STATUS_WEIGHTS) if newest else VersionStatus.RETIRED
                )
                sha = hashlib.sha256(f"{model.slug}/{n}".encode()).hexdigest()
                created = self.now - timedelta(days=30 * (self.per_model - n) + self.rng.random())
                live = status in (VersionStatus.APPROVED, VersionStatus.DEPLOYED)
                rows.append(
                    ModelVersion(
                        model=model,
                        version=f"1.{n}.0",
                        artifact=f"artifacts/{model.slug}/{n}/model.skops",
                        artifact_sha256=sha,
                        artifact_format=ArtifactFormat.SKOPS,
                        artifact_size=40_000 + n,
                        status=status,
                        created_by=model.owner,
                        submitted_by=model.owner if status != VersionStatus.DRAFT else None,
                        submitted_at=created if status != VersionStatus.DRAFT else None,
                        approval_expires_at=created + timedelta(days=365) if live else None,
                    )
                )
        versions = ModelVersion.objects.bulk_create(rows, batch_size=BATCH)
        for version in versions:
            self.event(version.created_by, EventVerb.VERSION_CREATED, version, None)
        return versions

    def audits(self, versions: list[ModelVersion]) -> list[AuditRun]:
        rows = []
        for version in versions:
            if version.status == VersionStatus.DRAFT:
                continue
            verdict = weighted(self.rng, VERDICT_WEIGHTS)
            result = {"verdict": verdict, "checks": {}, "synthetic": True}
            rows.append(
                AuditRun(
                    version=version,
                    with_model=False,
                    tier=version.model.risk_tier or 3,
                    policy_name="default",
                    policy_version="1",
                    status=RunStatus.COMPLETED,
                    result=result,
                    result_sha256=hashlib.sha256(repr(result).encode()).hexdigest(),
                    verdict=verdict,
                    requested_by=version.created_by,
                    started_at=version.submitted_at,
                    finished_at=version.submitted_at,
                )
            )
        runs = AuditRun.objects.bulk_create(rows, batch_size=BATCH)
        for run in runs:
            self.event(run.requested_by, EventVerb.AUDIT_COMPLETED, run, {"verdict": run.verdict})
        ModelVersion.objects.bulk_update(
            [self.submitted_with(run) for run in runs],
            ["submitted_audit_run_id", "submitted_audit_sha256"],
            batch_size=BATCH,
        )
        return runs

    @staticmethod
    def submitted_with(run: AuditRun) -> ModelVersion:
        run.version.submitted_audit_run_id = run.pk
        run.version.submitted_audit_sha256 = run.result_sha256
        return run.version

    def approvals(
        self, versions: list[ModelVersion], runs: list[AuditRun], officers: list[User]
    ) -> int:
        approved = {VersionStatus.APPROVED, VersionStatus.DEPLOYED, VersionStatus.RETIRED}
        negative: dict[str, str] = {
            VersionStatus.REJECTED: DecisionKind.REJECT,
            VersionStatus.CHANGES_REQUESTED: DecisionKind.REQUEST_CHANGES,
        }
        rows = []
        for run in runs:
            version = run.version
            if version.status in approved:
                kinds: list[str] = [DecisionKind.APPROVE] * (
                    2 if version.model.risk_tier == 1 else 1
                )
            elif version.status in negative:
                kinds = [negative[version.status]]
            else:
                continue
            for signer in self.rng.sample(officers, len(kinds)):
                rows.append(self.approval(version, run, signer, kinds.pop()))
        saved = Approval.objects.bulk_create(rows, batch_size=BATCH)
        for approval in saved:
            verb = {
                DecisionKind.APPROVE: EventVerb.APPROVAL_GRANTED,
                DecisionKind.REJECT: EventVerb.VERSION_REJECTED,
                DecisionKind.REQUEST_CHANGES: EventVerb.CHANGES_REQUESTED,
            }[DecisionKind(approval.decision)]
            self.event(approval.signer, verb, approval.version, {"approval": approval.pk})
        return len(saved)

    def approval(self, version: ModelVersion, run: AuditRun, signer: User, kind: str) -> Approval:
        signed = hashlib.sha256(f"{version.artifact_sha256}{run.result_sha256}".encode())
        return Approval(
            version=version,
            decision=kind,
            meaning=SignatureMeaning.APPROVAL,
            signer=signer,
            signer_printed_name=signer.get_full_name(),
            signer_username=signer.username,
            signed_at=version.submitted_at or self.now,
            artifact_sha256=version.artifact_sha256,
            audit_run_id=run.pk,
            audit_result_sha256=run.result_sha256,
            signed_sha256=signed.hexdigest(),
        )

    def deployments(self, versions: list[ModelVersion]) -> int:
        rows = [
            Deployment(version=version, environment=environment, deployed_by=version.created_by)
            for version in versions
            if version.status == VersionStatus.DEPLOYED
            for environment in ("staging", "prod")
        ]
        saved = Deployment.objects.bulk_create(rows, batch_size=BATCH)
        for deployment in saved:
            self.event(
                deployment.deployed_by,
                EventVerb.VERSION_DEPLOYED,
                deployment.version,
                {"environment": deployment.environment},
            )
        return len(saved)

    def incidents(self, versions: list[ModelVersion], officers: list[User]) -> int:
        live = [
            v for v in versions if v.status in (VersionStatus.DEPLOYED, VersionStatus.SUSPENDED)
        ]
        affected = self.rng.sample(live, min(len(live), max(1, self.models // 25)))
        rows = []
        for version in affected:
            severity = version.status == VersionStatus.SUSPENDED and Severity.CRITICAL
            rows.append(
                Incident(
                    title=f"{version.model.name}: degraded scores",
                    severity=severity or self.rng.choice(Severity.values[:3]),
                    category=self.rng.choice(IncidentCategory.values),
                    description="Synthetic incident for the portfolio benchmark.",
                    aware_at=self.now - timedelta(days=self.rng.randrange(90)),
                    status=self.rng.choice(IncidentStatus.values),
                    reported_by=version.created_by,
                    owner=self.rng.choice(officers),
                )
            )
        saved = Incident.objects.bulk_create(rows, batch_size=BATCH)
        Incident.versions.through.objects.bulk_create(
            Incident.versions.through(incident_id=incident.pk, modelversion_id=version.pk)
            for incident, version in zip(saved, affected, strict=True)
        )
        for incident in saved:
            self.event(incident.reported_by, EventVerb.INCIDENT_REPORTED, incident, None)
        return len(saved)

    def event(
        self, actor: User | None, verb: str, target: Any, after: dict[str, Any] | None
    ) -> None:
        self.events.append(
            Event(
                occurred_at=self.now,
                actor=actor,
                actor_name=actor.printed_name if actor else "system",
                verb=verb,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                target_repr=str(target)[:300],
                after=after,
            )
        )

    def chain(self) -> None:
        """Number and hash the collected events after the current head and append them, a
        transaction a batch. PostgreSQL cannot prune a row's old versions inside the
        transaction that made them, so moving the head once an event in one transaction walks
        a chain that grows with every step (the whole trail at once took 1,421 s at 10,000
        models); a batch a transaction keeps each walk short. An interrupted build leaves a
        shorter trail that still verifies."""
        for start in range(0, len(self.events), BATCH):
            with transaction.atomic():
                self.append(self.events[start : start + BATCH])

    def append(self, events: list[Event]) -> None:
        head = TrailHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )[0]
        seq, prev = head.seq, head.hash
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event_hash(prev, event_content(event))
        if connection.vendor == "postgresql":
            self.append_guarded(events)
            return
        Event.objects.bulk_create(events, batch_size=BATCH)
        TrailHead.objects.filter(pk=1).update(seq=seq, hash=prev)

    def append_guarded(self, events: list[Event]) -> None:
        """PostgreSQL's guard (migration 0005) admits one event right after the head at a time
        and moves the head one step: stage the events in bulk, then append them in order there."""
        names = ", ".join(EVENT_COLUMNS)
        values = ", ".join(f"r.{name}" for name in EVENT_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE portfolio_events ON COMMIT DROP AS "
                f"SELECT {names} FROM governance_event LIMIT 0"
            )
            cursor.executemany(
                f"INSERT INTO portfolio_events ({names}) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s, %s)",
                [self.row(event) for event in events],
            )
            cursor.execute(
                "DO $$ DECLARE r record; BEGIN "
                "FOR r IN SELECT * FROM portfolio_events ORDER BY seq LOOP "
                f"INSERT INTO governance_event ({names}) VALUES ({values}); "
                "UPDATE governance_trailhead SET seq = r.seq, hash = r.hash WHERE id = 1; "
                "END LOOP; END $$"
            )
            cursor.execute("DROP TABLE portfolio_events")  # a savepoint's end drops nothing

    @staticmethod
    def row(event: Event) -> tuple[Any, ...]:
        def as_json(value: Any) -> str | None:
            return None if value is None else json.dumps(value)

        return (
            event.seq,
            event.occurred_at,
            event.actor_id,
            event.actor_name,
            event.verb,
            event.target_type,
            event.target_id,
            event.target_repr,
            as_json(event.before),
            as_json(event.after),
            event.note,
            event.request_id,
            event.prev_hash,
            event.hash,
        )

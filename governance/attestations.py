"""Periodic attestation: the model's owner signs (password re-entered, meaning "attestation")
that the model is used as approved with no material change, every WARDEN_ATTESTATION_MONTHS
by tier. The clock runs from the latest attestation or approval, whichever is later; what the
gate does about an overdue one is WARDEN_ATTESTATION_OVERDUE."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from digests import canonical_json
from governance.errors import Conflict
from governance.lifecycle import add_months
from governance.models import (
    APPROVING_DECISIONS,
    Approval,
    Attestation,
    EventVerb,
    MLModel,
    ModelVersion,
    SignatureMeaning,
    User,
)
from governance.models.registry import live_versions_filter
from governance.permissions import require_attest
from governance.signatures import signature_check
from governance.trail import event_record

DEFAULT_STATEMENT = (
    "I attest that this model is used as approved, for its stated purpose, and that it has "
    "not changed materially since its approval."
)


def attestation_digest(statement: str, versions: list[dict[str, str]]) -> str:
    """sha256 of exactly what an attestation signs: the statement and the versions it covers."""
    content = canonical_json({"statement": statement, "versions": versions})
    return hashlib.sha256(content.encode()).hexdigest()


def attestation_sign(
    *,
    actor: User,
    model: MLModel,
    password: str = "",
    statement: str = "",
    reauthentication: int | None = None,
) -> Attestation:
    """The owner signs an attestation covering the model's live versions (a single sign-on
    owner with a verified step-up, `reauthentication`, instead of a password)."""
    require_attest(actor, model)
    statement = statement.strip() or DEFAULT_STATEMENT
    authentication = signature_check(
        actor=actor, password=password, target=model, reauthentication=reauthentication
    )
    with transaction.atomic():
        model = MLModel.objects.select_for_update().get(pk=model.pk)
        live = model.versions.filter(live_versions_filter()).order_by("version")
        versions = [
            {"version": v.version, "artifact_sha256": v.artifact_sha256, "status": v.status}
            for v in live
        ]
        if not versions:
            raise Conflict(f"{model} has no approved version in use: there is nothing to attest")
        attestation = Attestation.objects.create(
            model=model,
            statement=statement,
            versions=versions,
            meaning=SignatureMeaning.ATTESTATION,
            signer=actor,
            signer_printed_name=actor.printed_name,
            signer_username=actor.username,
            signed_at=timezone.now(),
            authentication=authentication,
            signed_sha256=attestation_digest(statement, versions),
        )
        event_record(
            actor=actor,
            verb=EventVerb.ATTESTATION_SIGNED,
            target=model,
            after={
                "attestation": attestation.pk,
                "versions": versions,
                "signed_sha256": attestation.signed_sha256,
                "manifestation": attestation.manifestation,
            },
            note=statement,
        )
    return attestation


def attestation_due_at(
    tier: int | None, last_attested_at: datetime | None, last_approved_at: datetime | None
) -> datetime | None:
    """When the next attestation is due: the cadence of the tier (an unassessed model as tier 1)
    after the later of the latest attestation and the latest approval; None with neither."""
    start = max((t for t in (last_attested_at, last_approved_at) if t is not None), default=None)
    if start is None:
        return None
    return add_months(start, settings.WARDEN_ATTESTATION_MONTHS[tier or 1])


def attestation_clock(model_ref: OuterRef) -> dict[str, Subquery]:
    """Annotations naming the latest attestation and approval of the model `model_ref` points
    at, for attestation_due_at; usable on models and (through their model) versions."""
    approvals = Approval.objects.filter(
        version__model=model_ref, decision__in=APPROVING_DECISIONS
    ).values("version__model")
    attestations = Attestation.objects.filter(model=model_ref).values("model")
    return {
        "last_attested_at": Subquery(attestations.annotate(at=Max("signed_at")).values("at")),
        "last_approved_at": Subquery(approvals.annotate(at=Max("signed_at")).values("at")),
    }


@dataclass(frozen=True)
class AttestationDue:
    """A model in use, when its attestation is due, and whether that has passed."""

    model: MLModel
    due_at: datetime
    overdue: bool


def attestations_due(
    *, now: datetime | None = None, model: MLModel | None = None, by: datetime | None = None
) -> list[AttestationDue]:
    """Every model (or just `model`) with a version in use and when its attestation is due,
    soonest first; with `by`, only those due by then. The clocks are read as two grouped
    aggregates (latest approval, latest attestation per model) rather than a subquery a model,
    and only the models that are due are read whole, so the risk officer's home stays fast on
    a portfolio of thousands of models in use."""
    now = now or timezone.now()
    in_use = MLModel.objects.filter(
        pk__in=ModelVersion.objects.filter(live_versions_filter()).values("model")
    )
    if model is not None:
        in_use = in_use.filter(pk=model.pk)
    approved = _latest_per_model(
        Approval.objects.filter(version__model__in=in_use, decision__in=APPROVING_DECISIONS),
        "version__model",
    )
    attested = _latest_per_model(Attestation.objects.filter(model__in=in_use), "model")
    due: dict[int, datetime] = {}
    for pk, tier in in_use.values_list("pk", "risk_tier"):
        due_at = attestation_due_at(tier, attested.get(pk), approved.get(pk))
        if due_at is not None and (by is None or due_at <= by):
            due[pk] = due_at
    models = MLModel.objects.filter(pk__in=list(due)).select_related("owner")
    rows = [AttestationDue(model=m, due_at=due[m.pk], overdue=due[m.pk] <= now) for m in models]
    return sorted(rows, key=lambda row: (row.due_at, row.model.pk))


def _latest_per_model(signatures: QuerySet[Any], model_path: str) -> dict[int, datetime]:
    """The latest `signed_at` of `signatures` for each model they reach by `model_path`."""
    latest = signatures.values(model_path).annotate(at=Max("signed_at"))
    return dict(latest.values_list(model_path, "at"))


def attestations_overdue(*, now: datetime | None = None) -> list[AttestationDue]:
    """The models whose attestation is overdue (the risk officer's home, the compliance report)."""
    now = now or timezone.now()
    return attestations_due(now=now, by=now)

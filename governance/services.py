"""Writes to the registry. Each service is keyword-only, takes the acting user, checks who may
act, changes rows in one transaction and records exactly one trail event in it."""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify

from digests import file_sha256
from governance.artifacts import artifact_check, artifact_format_detect
from governance.errors import DISK_FULL_MESSAGE, Conflict, InvalidInput, StorageFull, is_disk_full
from governance.models import EventVerb, MLModel, ModelVersion, RiskAssessment, Team, User
from governance.permissions import (
    require_assess_risk,
    require_change_model,
    require_register_model,
)
from governance.risk import POINTS, tier_compute
from governance.rulebook_selectors import questionnaire_in_force
from governance.stored_files import stored_uri
from governance.trail import event_record, snapshot

MODEL_FIELDS = [
    "name",
    "slug",
    "purpose",
    "intended_use",
    "out_of_scope_uses",
    "owner",
    "team",
    "model_type",
    "is_vendor",
    "vendor_name",
    "regulatory_regimes",
    "depends_on",
    "risk_tier",
    "risk_assessment",
]
MODEL_EDITABLE = frozenset(MODEL_FIELDS) - {"slug", "team", "risk_tier", "risk_assessment"}
QUESTIONNAIRE_FIELDS = list(POINTS)
VERSION_FIELDS = [
    "version",
    "artifact",
    "artifact_sha256",
    "artifact_format",
    "artifact_size",
    "training_data_description",
    "limitations",
    "status",
]
VERSION_EDITABLE = frozenset({"training_data_description", "limitations"})


def team_create(*, actor: User | None, name: str, slug: str) -> Team:
    """Create a team (admin set-up)."""
    with transaction.atomic():
        if Team.objects.filter(slug=slug).exists():
            raise InvalidInput(f"a team with slug {slug!r} exists already", field="slug")
        team = Team.objects.create(name=name, slug=slug)
        event_record(
            actor=actor,
            verb=EventVerb.TEAM_CREATED,
            target=team,
            after=snapshot(team, ["name", "slug"]),
        )
    return team


def team_update(*, actor: User | None, team: Team, changes: dict[str, Any]) -> Team:
    """Rename a team or change its slug (admin set-up)."""
    unknown = set(changes) - {"name", "slug"}
    if unknown:
        raise InvalidInput("a team has only a name and a slug", field=sorted(unknown)[0])
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        slug = changes.get("slug", team.slug)
        if Team.objects.filter(slug=slug).exclude(pk=team.pk).exists():
            raise InvalidInput(f"a team with slug {slug!r} exists already", field="slug")
        before = snapshot(team, ["name", "slug"])
        for name, value in changes.items():
            setattr(team, name, value)
        team.save()
        event_record(
            actor=actor,
            verb=EventVerb.TEAM_UPDATED,
            target=team,
            before=before,
            after=snapshot(team, ["name", "slug"]),
        )
    return team


def mlmodel_register(
    *,
    actor: User,
    team: Team,
    owner: User,
    depends_on: list[MLModel] | None = None,
    **fields: Any,
) -> MLModel:
    """Register a model for a team; the owner must be an active member of the organisation.
    Without a slug, the slug is made from the name (as MLflow names a model by its name)."""
    require_register_model(actor, team)
    fields["slug"] = fields.get("slug") or slug_from_name(fields["name"])
    with transaction.atomic():
        if MLModel.objects.filter(slug=fields["slug"]).exists():
            raise InvalidInput(f"a model with slug {fields['slug']!r} exists already", field="slug")
        model = MLModel.objects.create(team=team, owner=owner, **fields)
        model.depends_on.set(depends_on or [])
        event_record(
            actor=actor,
            verb=EventVerb.MODEL_REGISTERED,
            target=model,
            after=snapshot(model, MODEL_FIELDS),
        )
    return model


def slug_from_name(name: str) -> str:
    slug = slugify(name)[:100].strip("-_")
    if not slug:
        raise InvalidInput(
            "give a slug: the name has no letters or digits to make one from", field="slug"
        )
    return slug


def mlmodel_update(*, actor: User, model: MLModel, changes: dict[str, Any]) -> MLModel:
    """Change a model's descriptive fields; the slug and team are fixed at registration."""
    fixed = set(changes) - MODEL_EDITABLE
    if fixed:
        name = sorted(fixed)[0]
        raise InvalidInput("this field cannot be changed after registration", field=name)
    require_change_model(actor, model)
    with transaction.atomic():
        model = MLModel.objects.select_for_update().get(pk=model.pk)
        before = snapshot(model, MODEL_FIELDS)
        depends_on = changes.pop("depends_on", None)
        if depends_on is not None:
            if model in depends_on:
                raise InvalidInput("a model cannot depend on itself", field="depends_on")
            model.depends_on.set(depends_on)
        for name, value in changes.items():
            setattr(model, name, value)
        model.save()
        event_record(
            actor=actor,
            verb=EventVerb.MODEL_UPDATED,
            target=model,
            before=before,
            after=snapshot(model, MODEL_FIELDS),
        )
    return model


def risk_assessment_record(
    *, actor: User, model: MLModel, answers: dict[str, str]
) -> RiskAssessment:
    """File a questionnaire and compute the tier with its rationale under the questionnaire
    version in force, which the assessment records. The model takes that tier,
    unless a risk officer's override stands: it carries over until a risk officer changes it."""
    require_assess_risk(actor, model, overriding=False)
    questionnaire, rules = questionnaire_in_force()
    computed = tier_compute(answers, rules)
    with transaction.atomic():
        model = MLModel.objects.select_for_update().get(pk=model.pk)
        standing = model.risk_assessment
        if standing is None or standing.override_tier is None:
            standing = None
        before = snapshot(model, ["risk_tier", "risk_assessment"])
        assessment = RiskAssessment.objects.create(
            model=model,
            **answers,
            questionnaire=questionnaire,
            computed_tier=computed.tier,
            rationale=computed.rationale,
            override_tier=standing.override_tier if standing else None,
            override_reason=standing.override_reason if standing else "",
            override_by_name=standing.override_by_name if standing else "",
            tier=standing.tier if standing else computed.tier,
            assessed_by=actor,
        )
        model.risk_tier, model.risk_assessment = assessment.tier, assessment
        model.save(update_fields=["risk_tier", "risk_assessment", "updated_at"])
        after = {
            **snapshot(model, ["risk_tier", "risk_assessment"]),
            **answers,
            "computed_tier": computed.tier,
            "override_tier": assessment.override_tier,
            "questionnaire": assessment.questionnaire_id,
        }
        stands = (
            f" The override to tier {standing.tier} by {standing.override_by_name} stands."
            if standing
            else ""
        )
        event_record(
            actor=actor,
            verb=EventVerb.RISK_ASSESSED,
            target=model,
            before=before,
            after=after,
            note=computed.rationale + stands,
        )
    return assessment


def risk_tier_override(*, actor: User, model: MLModel, tier: int, reason: str) -> RiskAssessment:
    """A risk officer sets the model's tier over the questionnaire's, with a reason. It is a
    new assessment on the current answers, and it stands until a risk officer overrides again."""
    if tier not in (1, 2, 3):
        raise InvalidInput("a tier is 1, 2 or 3", field="tier")
    if not reason.strip():
        raise InvalidInput("an override of the computed tier needs a reason", field="reason")
    require_assess_risk(actor, model, overriding=True)
    with transaction.atomic():
        model = MLModel.objects.select_for_update().get(pk=model.pk)
        current = model.risk_assessment
        if current is None:
            raise Conflict("file the risk questionnaire before overriding its tier")
        before = snapshot(model, ["risk_tier", "risk_assessment"])
        answers = {name: getattr(current, name) for name in QUESTIONNAIRE_FIELDS}
        assessment = RiskAssessment.objects.create(
            model=model,
            **answers,
            questionnaire=current.questionnaire,
            computed_tier=current.computed_tier,
            rationale=current.rationale,
            override_tier=tier,
            override_reason=reason.strip(),
            override_by_name=actor.printed_name,
            tier=tier,
            assessed_by=actor,
        )
        model.risk_tier, model.risk_assessment = tier, assessment
        model.save(update_fields=["risk_tier", "risk_assessment", "updated_at"])
        event_record(
            actor=actor,
            verb=EventVerb.RISK_TIER_OVERRIDDEN,
            target=model,
            before=before,
            after={
                **snapshot(model, ["risk_tier", "risk_assessment"]),
                "computed_tier": current.computed_tier,
                "override_tier": tier,
            },
            note=assessment.override_reason,
        )
    return assessment


def version_create(
    *,
    actor: User,
    model: MLModel,
    version: str,
    artifact: UploadedFile,
    training_data_description: str = "",
    limitations: str = "",
    provenance: dict[str, str] | None = None,
) -> ModelVersion:
    """Add a draft version with its artifact; the artifact's sha256 is taken as it is stored.
    `provenance` (where an import took it from, e.g. an MLflow run) goes on the event."""
    require_change_model(actor, model)
    name = artifact.name or "artifact"
    artifact.seek(0)
    artifact_format = artifact_format_detect(name, artifact.read(8))
    sha256, size = file_sha256(artifact)
    with transaction.atomic():
        if ModelVersion.objects.filter(model=model, version=version).exists():
            raise InvalidInput(f"{model.slug} already has a version {version!r}", field="version")
        created = ModelVersion(
            model=model,
            version=version,
            artifact_sha256=sha256,
            artifact_format=artifact_format,
            artifact_size=size,
            training_data_description=training_data_description,
            limitations=limitations,
            created_by=actor,
        )
        target = created.artifact.field.generate_filename(created, name)
        try:
            created.artifact.name = created.artifact.storage.save(target, artifact)
            artifact_check(stored_uri(created.artifact.name), artifact_format, name)
            created.save(force_insert=True)
            event_record(
                actor=actor,
                verb=EventVerb.VERSION_CREATED,
                target=created,
                after={
                    **snapshot(created, VERSION_FIELDS),
                    **({"provenance": provenance} if provenance else {}),
                },
            )
        except Exception as error:
            created.artifact.storage.delete(created.artifact.name or target)
            if is_disk_full(error):
                raise StorageFull(DISK_FULL_MESSAGE, field="artifact") from None
            raise
    return created


def version_update(*, actor: User, version: ModelVersion, changes: dict[str, Any]) -> ModelVersion:
    """Change a draft version's documentation; once submitted a version is immutable."""
    fixed = set(changes) - VERSION_EDITABLE
    if fixed:
        raise InvalidInput(
            "this field cannot be changed; upload a new version", field=sorted(fixed)[0]
        )
    require_change_model(actor, version.model)
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_editable:
            raise Conflict(
                f"version {version.version} is {version.status} and can no longer change"
            )
        before = snapshot(version, VERSION_FIELDS)
        for name, value in changes.items():
            setattr(version, name, value)
        version.save(update_fields=list(changes))
        event_record(
            actor=actor,
            verb=EventVerb.VERSION_UPDATED,
            target=version,
            before=before,
            after=snapshot(version, VERSION_FIELDS),
        )
    return version


def version_integrity_alert(*, actor: User | None, version_id: int, reason: str) -> None:
    """Record that a file of the version no longer matches its upload's sha256 (a worker found
    it before using the file); the gate refuses the version from now on, saying why."""
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(pk=version_id)
        before = snapshot(version, ["integrity_alert"])
        version.integrity_alert = reason[:2000]
        version.save(update_fields=["integrity_alert"])
        event_record(
            actor=actor,
            verb=EventVerb.VERSION_INTEGRITY_FAILED,
            target=version,
            before=before,
            after=snapshot(version, ["integrity_alert"]),
            note=reason[:2000],
        )

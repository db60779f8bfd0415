"""Writes to the registry. Each service is keyword-only, takes the acting user, checks who may
act, changes rows in one transaction and records exactly one trail event in it."""

from typing import Any

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify

from governance.artifacts import artifact_check, artifact_format_detect, file_sha256
from governance.errors import DISK_FULL_MESSAGE, Conflict, InvalidInput, StorageFull, is_disk_full
from governance.models import MLModel, ModelVersion, RiskAssessment, Team, User
from governance.permissions import (
    require_assess_risk,
    require_change_model,
    require_register_model,
)
from governance.risk import tier_compute
from governance.roles import Role
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
            actor=actor, verb="team_created", target=team, after=snapshot(team, ["name", "slug"])
        )
    return team


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Provision a user in one role; engineers must belong to a team."""
    if role not in Role.values:
        raise InvalidInput(f"unknown role {role!r}; one of {', '.join(Role.values)}", field="role")
    if role == Role.ENGINEER and team is None:
        raise InvalidInput("an engineer needs a team", field="team")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InvalidInput(f"user {username!r} exists already", field="username")
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            team=team,
            first_name=first_name,
            last_name=last_name,
            is_staff=role == Role.ADMIN,
        )
        user.groups.add(Group.objects.get(name=role))
        after = {**snapshot(user, ["username", "email", "team"]), "role": role}
        event_record(actor=actor, verb="user_created", target=user, after=after)
    return user


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
            actor=actor, verb="model_registered", target=model, after=snapshot(model, MODEL_FIELDS)
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
            verb="model_updated",
            target=model,
            before=before,
            after=snapshot(model, MODEL_FIELDS),
        )
    return model


def risk_assessment_record(
    *,
    actor: User,
    model: MLModel,
    answers: dict[str, str],
    override_tier: int | None = None,
    override_reason: str = "",
) -> RiskAssessment:
    """File a questionnaire, compute the tier with its rationale and make it the model's
    current tier. An override (a risk officer's) replaces the computed tier and needs a reason."""
    overriding = override_tier is not None
    if overriding and not override_reason.strip():
        raise InvalidInput(
            "an override of the computed tier needs a reason", field="override_reason"
        )
    if override_reason and not overriding:
        raise InvalidInput("a reason was given but no override_tier", field="override_tier")
    require_assess_risk(actor, model, overriding=overriding)
    computed = tier_compute(answers)
    with transaction.atomic():
        model = MLModel.objects.select_for_update().get(pk=model.pk)
        before = snapshot(model, ["risk_tier", "risk_assessment"])
        assessment = RiskAssessment.objects.create(
            model=model,
            **answers,
            computed_tier=computed.tier,
            rationale=computed.rationale,
            override_tier=override_tier,
            override_reason=override_reason.strip(),
            override_by_name=actor.printed_name if overriding else "",
            tier=override_tier if overriding else computed.tier,
            assessed_by=actor,
        )
        model.risk_tier, model.risk_assessment = assessment.tier, assessment
        model.save(update_fields=["risk_tier", "risk_assessment", "updated_at"])
        after = {
            **snapshot(model, ["risk_tier", "risk_assessment"]),
            **answers,
            "computed_tier": computed.tier,
            "override_tier": override_tier,
            "override_reason": assessment.override_reason,
        }
        verb = "risk_tier_overridden" if overriding else "risk_assessed"
        event_record(
            actor=actor,
            verb=verb,
            target=model,
            before=before,
            after=after,
            note=computed.rationale,
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
) -> ModelVersion:
    """Add a draft version with its artifact; the artifact's sha256 is taken as it is stored."""
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
            artifact_check(created.artifact.path, artifact_format, name)
            created.save(force_insert=True)
            event_record(
                actor=actor,
                verb="version_created",
                target=created,
                after=snapshot(created, VERSION_FIELDS),
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
            verb="version_updated",
            target=version,
            before=before,
            after=snapshot(version, VERSION_FIELDS),
        )
    return version

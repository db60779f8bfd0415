"""The sync itself: registered models become Warden models (owner and team by
WARDEN_MLFLOW_OWNERS), versions become draft versions with their run and source kept, aliases
become deployments where the gate allows. Twice in a row writes nothing the second time."""

import fnmatch
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from governance import lifecycle, services
from governance.errors import ServiceError
from governance.mlflow_sync.client import (
    ArtifactUnreachable,
    MLflowClient,
    RegistryModel,
    RegistryVersion,
)
from governance.mlflow_sync.flavors import MLMODEL, FlavorRefused, file_taken
from governance.models import (
    EventVerb,
    MLflowModelLink,
    MLflowVersionLink,
    MLModel,
    ModelType,
    Team,
    User,
)
from governance.trail import event_record


class MLflowSetupError(Exception):
    """The sync is not configured well enough to run; the message names the setting."""


@dataclass
class SyncReport:
    """What one pass did, in counts, and the models it could not take with the reason."""

    models_created: int = 0
    versions_created: int = 0
    versions_refused: int = 0
    models_removed: int = 0
    versions_removed: int = 0
    deployments: int = 0
    skipped: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class OwnerRule:
    """`match` (a glob on the MLflow model name) -> the owner's username and the team's slug."""

    match: str
    owner: str
    team: str


def owner_rules(raw: str) -> list[OwnerRule]:
    """WARDEN_MLFLOW_OWNERS read as a JSON list of {match, owner, team}; MLflowSetupError if not."""
    try:
        rules = [OwnerRule(r["match"], r["owner"], r["team"]) for r in json.loads(raw or "[]")]
    except (ValueError, TypeError, KeyError):
        raise MLflowSetupError(
            'WARDEN_MLFLOW_OWNERS must be a JSON list of {"match", "owner", "team"} objects'
        ) from None
    return rules


def sync_client(tracking_uri: str | None = None) -> MLflowClient:
    """The client for `tracking_uri` (else WARDEN_MLFLOW_TRACKING_URI), or MLflowSetupError."""
    tracking_uri = tracking_uri or settings.WARDEN_MLFLOW_TRACKING_URI
    if not tracking_uri:
        raise MLflowSetupError("set WARDEN_MLFLOW_TRACKING_URI to the MLflow tracking server")
    return MLflowClient(
        tracking_uri,
        token=settings.WARDEN_MLFLOW_TOKEN,
        page_size=settings.WARDEN_MLFLOW_PAGE_SIZE,
    )


def sync_actor() -> User:
    """The account the sync acts as (WARDEN_MLFLOW_SYNC_USER), or MLflowSetupError."""
    username = settings.WARDEN_MLFLOW_SYNC_USER
    actor = User.objects.filter(username=username, is_active=True).first() if username else None
    if actor is None:
        raise MLflowSetupError(
            f"WARDEN_MLFLOW_SYNC_USER names no active account ({username!r}): create an "
            "engineer of the mapped teams (or an admin) for the sync to act as"
        )
    return actor


def mlflow_sync(*, actor: User, client: MLflowClient) -> SyncReport:
    """One pass over every registered model and version; what MLflow no longer lists is marked
    removed (never deleted)."""
    report = SyncReport()
    rules = owner_rules(settings.WARDEN_MLFLOW_OWNERS)
    seen: set[str] = set()
    for registered in client.registered_models():
        seen.add(registered.name)
        try:
            link = _model_link(actor, registered, rules, report)
        except ServiceError as error:
            report.skipped[registered.name] = str(error)
            continue
        versions = list(client.versions(registered.name))
        for found in versions:
            _version_link(actor, client, link, found, report)
        _removed_versions(actor, link, {v.version for v in versions}, report)
        _aliases(actor, link, registered.aliases, report)
    gone = MLflowModelLink.objects.filter(removed_at__isnull=True).exclude(name__in=seen)
    for link in gone.select_related("model"):
        with transaction.atomic():
            link.removed_at = timezone.now()
            link.save(update_fields=["removed_at"])
            event_record(
                actor=actor,
                verb=EventVerb.MLFLOW_MODEL_REMOVED,
                target=link.model,
                after={"mlflow_model": link.name},
                note="no longer listed by the MLflow registry; the Warden model is kept",
            )
        report.models_removed += 1
    return report


def _model_link(
    actor: User, registered: RegistryModel, rules: list[OwnerRule], report: SyncReport
) -> MLflowModelLink:
    link = MLflowModelLink.objects.filter(name=registered.name).select_related("model").first()
    if link is not None:
        return link
    rule = next((r for r in rules if fnmatch.fnmatchcase(registered.name, r.match)), None)
    if rule is None:
        raise ServiceError(f"no WARDEN_MLFLOW_OWNERS rule matches {registered.name!r}")
    owner = User.objects.filter(username=rule.owner, is_active=True).first()
    team = Team.objects.filter(slug=rule.team).first()
    if owner is None or team is None:
        raise ServiceError(f"WARDEN_MLFLOW_OWNERS names {rule.owner!r} / {rule.team!r}: not found")
    slug = services.slug_from_name(registered.name)
    if MLModel.objects.filter(slug=slug).exists():
        raise ServiceError(f"a Warden model not from MLflow has the slug {slug!r} already")
    with transaction.atomic():
        model = services.mlmodel_register(
            actor=actor,
            team=team,
            owner=owner,
            name=registered.name[:200],
            slug=slug,
            purpose=registered.description or f"Imported from MLflow ({registered.name}).",
            model_type=ModelType.OTHER,
        )
        link = MLflowModelLink.objects.create(name=registered.name, model=model)
    report.models_created += 1
    return link


def _version_link(
    actor: User,
    client: MLflowClient,
    link: MLflowModelLink,
    found: RegistryVersion,
    report: SyncReport,
) -> None:
    if link.versions.filter(mlflow_version=found.version).exists():
        return  # an MLflow version's source and run never change
    provenance = {
        "mlflow_model": found.name,
        "mlflow_version": found.version,
        "run_id": found.run_id,
        "source": found.source,
    }
    try:
        upload = _artifact(client, found)
        with transaction.atomic():
            created = services.version_create(
                actor=actor,
                model=link.model,
                version=found.version,
                artifact=upload,
                limitations=found.description,
                provenance=provenance,
            )
            _version_link_create(link, found, version=created)
        report.versions_created += 1
    except (FlavorRefused, ArtifactUnreachable, ServiceError) as error:
        with transaction.atomic():
            _version_link_create(link, found, refusal=str(error))
            event_record(
                actor=actor,
                verb=EventVerb.MLFLOW_VERSION_REFUSED,
                target=link.model,
                after=provenance,
                note=str(error),
            )
        report.versions_refused += 1


def _version_link_create(
    link: MLflowModelLink, found: RegistryVersion, **outcome: object
) -> MLflowVersionLink:
    return MLflowVersionLink.objects.create(
        model_link=link,
        mlflow_version=found.version,
        run_id=found.run_id,
        source=found.source,
        **outcome,
    )


def _names(link: MLflowModelLink, version_link: MLflowVersionLink) -> dict[str, str]:
    return {"mlflow_model": link.name, "mlflow_version": version_link.mlflow_version}


def _artifact(client: MLflowClient, found: RegistryVersion) -> SimpleUploadedFile:
    """The version's one importable file, as an upload named for its format."""
    root = client.artifact_root(found)
    limit = settings.WARDEN_MAX_ARTIFACT_BYTES
    taken = file_taken(client.artifact(root, MLMODEL, max_bytes=limit))
    return SimpleUploadedFile(taken.stored_name, client.artifact(root, taken.path, max_bytes=limit))


def _removed_versions(
    actor: User, link: MLflowModelLink, listed: set[str], report: SyncReport
) -> None:
    gone = link.versions.filter(removed_at__isnull=True).exclude(mlflow_version__in=listed)
    for version_link in gone:
        with transaction.atomic():
            version_link.removed_at = timezone.now()
            version_link.save(update_fields=["removed_at"])
            event_record(
                actor=actor,
                verb=EventVerb.MLFLOW_VERSION_REMOVED,
                target=version_link.version or link.model,
                after=_names(link, version_link),
                note="no longer listed by the MLflow registry; the Warden record is kept",
            )
        report.versions_removed += 1


def _aliases(
    actor: User, link: MLflowModelLink, aliases: dict[str, str], report: SyncReport
) -> None:
    """A version newly given an alias is recorded as deployed to the environment of that name
    when the gate allows; otherwise the refusal and its reasons go on the trail."""
    for version_link in link.versions.select_related("version"):
        now = sorted(a for a, number in aliases.items() if number == version_link.mlflow_version)
        if now == version_link.aliases:
            continue
        with transaction.atomic():
            for alias in sorted(set(now) - set(version_link.aliases)):
                report.deployments += _alias_deploy(actor, link, version_link, alias)
            version_link.aliases = now
            version_link.save(update_fields=["aliases"])


def _alias_deploy(
    actor: User, link: MLflowModelLink, version_link: MLflowVersionLink, alias: str
) -> int:
    note = f"MLflow alias {alias!r} of {link.name} v{version_link.mlflow_version}"
    if version_link.version is not None:
        try:
            with transaction.atomic():
                lifecycle.deployment_record(
                    actor=actor,
                    version=version_link.version,
                    environment=slugify(alias)[:50] or "mlflow",
                    note=note,
                )
            return 1
        except ServiceError as error:
            reason = str(error)
    else:
        reason = version_link.refusal
    event_record(
        actor=actor,
        verb=EventVerb.MLFLOW_ALIAS_REFUSED,
        target=version_link.version or link.model,
        after={**_names(link, version_link), "alias": alias},
        note=f"{note}: not recorded as a deployment: {reason}",
    )
    return 0


def mlflow_sync_configured() -> SyncReport | None:
    """One pass with the configured server and account; None when no server is configured."""
    if not settings.WARDEN_MLFLOW_TRACKING_URI:
        return None
    return mlflow_sync(actor=sync_actor(), client=sync_client())

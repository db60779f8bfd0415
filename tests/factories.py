"""Builders for test records. Everything is made through the services, so every record a test
sees came with its trail event, as in production."""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from governance import services
from governance.models import MLModel, ModelVersion, Team, User
from governance.roles import roles_sync

PASSWORD = "correct horse battery staple"
TIER_3_ANSWERS = {
    "impact_on_people": "none",
    "decision_autonomy": "advisory",
    "data_sensitivity": "internal",
    "decision_scale": "limited",
    "regulatory_area": "none",
}


def team_make(slug: str) -> Team:
    return Team.objects.filter(slug=slug).first() or services.team_create(
        actor=None, name=slug.title(), slug=slug
    )


def user_make(username: str, role: str, team: str | None = None) -> User:
    roles_sync()
    return services.user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        team=team_make(team) if team else None,
        first_name=username.title(),
        last_name="Tester",
    )


def mlmodel_make(owner: User, slug: str = "credit-default", **fields: Any) -> MLModel:
    values = {
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "purpose": "Scores things.",
        "model_type": "classification",
        **fields,
    }
    assert owner.team is not None
    return services.mlmodel_register(actor=owner, team=owner.team, owner=owner, **values)


def skops_like_file(name: str = "model.skops", payload: bytes = b"") -> SimpleUploadedFile:
    """A ZIP archive named .skops: passes the format sniffing of the registry (the contents are
    checked by the artifact loader, not by the registry)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", payload or b'{"protocol": 1}')
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def version_make(model: MLModel, actor: User, version: str = "1.0.0") -> ModelVersion:
    return services.version_create(
        actor=actor, model=model, version=version, artifact=skops_like_file()
    )

"""Builders for test records. Everything is made through the services, so every record a test
sees came with its trail event, as in production."""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from governance import services
from governance.accounts import user_create
from governance.models import Finding, MLModel, ModelVersion, Team, User
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
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        email=f"{username}@warden.test",
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


def skops_model_bytes() -> bytes:
    """A real scikit-learn model saved with skops: an imputer and a logistic regression reading
    column "x" of `classifier_csv` by name (so the model checks run on every set the factories
    upload)."""
    import numpy as np
    import pandas as pd
    import skops.io
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=200)})
    label = (frame["x"] + rng.normal(0, 1, 200) > 0).astype(int)
    return skops.io.dumps(make_pipeline(SimpleImputer(), LogisticRegression()).fit(frame, label))


def skops_model_file(name: str = "model.skops", padding: bytes = b"") -> SimpleUploadedFile:
    """An upload of `skops_model_bytes`, with `padding` as an extra ZIP member (skops ignores
    it) when a test needs a large artifact."""
    import zipfile

    content = skops_model_bytes()
    if padding:
        buffer = io.BytesIO(content)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("padding.bin", padding)
        content = buffer.getvalue()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def version_make(
    model: MLModel,
    actor: User,
    version: str = "1.0.0",
    artifact: SimpleUploadedFile | None = None,
) -> ModelVersion:
    return services.version_create(
        actor=actor, model=model, version=version, artifact=artifact or skops_model_file()
    )


def llm_version_make(owner: User, slug: str = "chat-assistant") -> ModelVersion:
    """Version 1.0.0 of a new LLM model of the owner's team, what red-teaming is run on."""
    return version_make(mlmodel_make(owner, slug=slug, model_type="llm"), owner)


TIER_ANSWERS = {
    1: {**TIER_3_ANSWERS, "regulatory_area": "eu_ai_act_annex_iii"},
    2: {**TIER_3_ANSWERS, "regulatory_area": "other_regulated"},
    3: TIER_3_ANSWERS,
}


def classifier_csv(rows: int = 400, *, accurate: bool = True, seed: int = 3) -> bytes:
    """A binary classifier's evaluation set whose prediction and score are the default
    artifact's (`skops_model_bytes`) on its feature `x`, so the consistency check passes:
    `accurate` labels are drawn from the model's own probabilities (a calibrated model that
    passes every tier's thresholds), others are coin flips (fails performance)."""
    import numpy as np
    import pandas as pd
    import skops.io

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x": rng.normal(0, 3, rows)})
    model = skops.io.loads(skops_model_bytes(), trusted=skops.io.get_untrusted_types(
        data=skops_model_bytes()))  # fmt: skip
    score = model.predict_proba(frame)[:, 1]
    label = (rng.random(rows) < (score if accurate else 0.5)).astype(int)
    frame = frame.assign(
        label=label,
        predicted=model.predict(frame),
        score=score,
        group=rng.choice(["a", "b"], rows),
    )
    return frame[["label", "predicted", "score", "group", "x"]].to_csv(index=False).encode()


def tiered_model_make(
    owner: User, tier: int, slug: str = "credit-default", **fields: Any
) -> MLModel:
    model = mlmodel_make(owner, slug=slug, **fields)
    services.risk_assessment_record(actor=owner, model=model, answers=TIER_ANSWERS[tier])
    model.refresh_from_db()
    return model


def audit_make(version: ModelVersion, actor: User, *, accurate: bool = True):  # type: ignore[no-untyped-def]
    """Upload a set and run the real battery on it in this process; the completed run."""
    from audits.services import evaluation_sets, runs
    from audits.tasks import audit_run_plan

    mapping = {
        "label": "label",
        "prediction": "predicted",
        "score": "score",
        "sensitive": ["group"],
        "slices": ["group"],
        "features": ["x"],
    }
    sets = [
        evaluation_sets.evaluation_set_upload(
            actor=actor,
            version=version,
            role=role,
            mapping=mapping,
            file=SimpleUploadedFile(f"{role}.csv", classifier_csv(accurate=accurate, seed=seed)),
        )
        for role, seed in (("current", 3), ("reference", 4))
    ]
    run = runs.audit_run_queue(
        actor=actor, version=version, evaluation_set=sets[0], reference_set=sets[1]
    )
    audit_run_plan.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == "completed", run.error
    return run


def submitted_version_make(
    owner: User, tier: int, slug: str = "credit-default", **fields: Any
) -> ModelVersion:
    """A version of a new model of `tier` (with the model `fields` given), audited with a
    passing result and submitted."""
    from governance.lifecycle import version_submit

    version = version_make(tiered_model_make(owner, tier, slug, **fields), owner)
    audit_make(version, owner)
    return version_submit(actor=owner, version=version)


def critical_incident_make(reporter: User, versions: list[ModelVersion], title: str = "Outage"):  # type: ignore[no-untyped-def]
    """A critical outage reported now against `versions`, which suspends the live ones."""
    from django.utils import timezone

    from governance.incidents import incident_report

    return incident_report(
        actor=reporter,
        versions=versions,
        title=title,
        severity="critical",
        category="outage",
        description="d",
        aware_at=timezone.now(),
    )


def finding_make(
    raiser: User,
    owner: User,
    model: MLModel,
    version: ModelVersion | None = None,
    *,
    title: str = "Calibration drifts on group b",
    severity: str = "medium",
    due_in_days: int = 30,
) -> Finding:
    """A finding `raiser` (a risk officer) raises on the version, or on the model, resting on a
    validation memo and owned by `owner`, due in `due_in_days`."""
    from datetime import timedelta

    from django.utils import timezone

    from governance.findings import finding_raise

    return finding_raise(
        actor=raiser,
        model=model,
        version=version,
        title=title,
        severity=severity,
        description="Found in validation.",
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=due_in_days),
        basis_reference="validation memo 2026-12",
    )

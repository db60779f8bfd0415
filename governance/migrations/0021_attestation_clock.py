"""MLModel.attestation_clock_at: the attestation clock kept on the model, set for the models
already registered from their signatures (the latest approving decision or attestation); an
index of versions by status and expiry."""

from typing import Any

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

APPROVING = ["approve", "approve_with_conditions"]


def clocks_from_signatures(apps: Any, schema_editor: Any) -> None:
    approval = apps.get_model("governance", "Approval")
    attestation = apps.get_model("governance", "Attestation")

    def latest() -> tuple[Subquery, Subquery]:
        approved = approval.objects.filter(
            version__model=OuterRef("pk"), decision__in=APPROVING
        ).values("version__model")
        attested = attestation.objects.filter(model=OuterRef("pk")).values("model")
        return (
            Subquery(approved.annotate(at=Max("signed_at")).values("at")),
            Subquery(attested.annotate(at=Max("signed_at")).values("at")),
        )

    (approved, attested), (approved_again, attested_again) = latest(), latest()
    apps.get_model("governance", "MLModel").objects.update(
        attestation_clock_at=Greatest(
            Coalesce(approved, attested), Coalesce(attested_again, approved_again)
        )
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0020_report_job_event_verbs")]

    operations = [
        migrations.AddField(
            model_name="mlmodel",
            name="attestation_clock_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="mlmodel",
            index=models.Index(
                fields=["risk_tier", "attestation_clock_at"], name="governance__risk_ti_c7c69b_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="modelversion",
            index=models.Index(
                fields=["status", "approval_expires_at"], name="governance__status_e5efde_idx"
            ),
        ),
        migrations.RunPython(clocks_from_signatures, migrations.RunPython.noop),
    ]

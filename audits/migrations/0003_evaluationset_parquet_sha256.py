import hashlib

from django.db import migrations, models


def hash_existing_copies(apps, schema_editor):
    """Sets stored before the copy's hash was kept get it now, from the copy as it stands."""
    EvaluationSet = apps.get_model("audits", "EvaluationSet")
    for evaluation_set in EvaluationSet.objects.filter(parquet_sha256=""):
        digest = hashlib.sha256()
        try:
            with evaluation_set.parquet.open("rb") as handle:
                while block := handle.read(1 << 22):
                    digest.update(block)
        except FileNotFoundError:
            continue  # the worker will report the missing copy when a run needs it
        evaluation_set.parquet_sha256 = digest.hexdigest()
        evaluation_set.save(update_fields=["parquet_sha256"])


class Migration(migrations.Migration):
    dependencies = [("audits", "0002_model_checks")]

    operations = [
        migrations.AddField(
            model_name="evaluationset",
            name="parquet_sha256",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunPython(hash_existing_copies, migrations.RunPython.noop),
    ]

"""What an organisation adds to its inventory: tags on models, and custom fields an admin
defines (text, choice, date, number) with one validated value per model."""

from django.db import models

from governance.models.registry import MLModel


class Tag(models.Model):
    """A label people put on models to find them (`credit`, `vendor-review`)."""

    slug = models.SlugField(max_length=50, unique=True)
    mlmodels = models.ManyToManyField(MLModel, related_name="tags", blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class FieldKind(models.TextChoices):
    TEXT = "text", "Text"
    CHOICE = "choice", "Choice"
    DATE = "date", "Date"
    NUMBER = "number", "Number"


class CustomField(models.Model):
    """A field an admin adds to every model's inventory record; `choices` for a choice field."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=FieldKind.choices)
    choices = models.JSONField(default=list, blank=True)
    help_text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class CustomFieldValue(models.Model):
    """One model's value of a custom field, stored in its canonical text (ISO date, plain
    decimal) so a search compares like with like."""

    model = models.ForeignKey(MLModel, on_delete=models.CASCADE, related_name="field_values")
    field = models.ForeignKey(CustomField, on_delete=models.PROTECT, related_name="values")
    value = models.CharField(max_length=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "field"], name="one_value_per_model_field")
        ]
        indexes = [models.Index(fields=["field", "value"])]

    def __str__(self) -> str:
        return f"{self.field.key}={self.value}"

"""What the registry API reads and writes. Input serializers validate shape only; the services
check who may act and the rules that need the database."""

from django.conf import settings
from rest_framework import serializers

from governance.api.fields import RowSerializer, SlugRelated, StrictSerializer
from governance.models import (
    Event,
    MLModel,
    ModelType,
    ModelVersion,
    RegulatoryRegime,
    RiskAssessment,
    Team,
    User,
)
from governance.models.registry import (
    DataSensitivity,
    DecisionAutonomy,
    DecisionScale,
    ImpactOnPeople,
    RegulatoryArea,
)


class MLModelSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    team = serializers.CharField(source="team.slug")
    depends_on: serializers.SlugRelatedField[MLModel] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = MLModel
        fields = [
            "slug",
            "name",
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Serializes rows of MLModel.objects.values(*views.SUMMARY_COLUMNS), not model instances.
class MLModelSummarySerializer(RowSerializer):
    """A model in a list: who, what kind, which tier. The detail carries the full texts."""

    owner = serializers.CharField(source="owner__username")
    team = serializers.CharField(source="team__slug")

    class Meta:
        model = MLModel
        fields = [
            "slug",
            "name",
            "owner",
            "team",
            "model_type",
            "is_vendor",
            "risk_tier",
            "updated_at",
        ]
        read_only_fields = fields


class MLModelWriteSerializer(StrictSerializer):
    """Fields an engineer sets when registering a model (all optional on update); the slug is
    made from the name when omitted."""

    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False)
    purpose = serializers.CharField(max_length=5000)
    intended_use = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    out_of_scope_uses = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    model_type = serializers.ChoiceField(choices=ModelType.choices)
    is_vendor = serializers.BooleanField(required=False)
    vendor_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    regulatory_regimes = serializers.ListField(
        child=serializers.ChoiceField(choices=RegulatoryRegime.choices),
        required=False,
        max_length=len(RegulatoryRegime.choices),
    )
    depends_on = SlugRelated(
        slug_field="slug", queryset=MLModel.objects.all(), many=True, required=False
    )
    owner = SlugRelated(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    team = SlugRelated(slug_field="slug", queryset=Team.objects.all(), required=False)

    def validate_regulatory_regimes(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("a regime is listed twice")
        return sorted(value)


class RiskAssessmentSerializer(serializers.ModelSerializer):
    assessed_by = serializers.CharField(source="assessed_by.username")

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "impact_on_people",
            "decision_autonomy",
            "data_sensitivity",
            "decision_scale",
            "regulatory_area",
            "computed_tier",
            "rationale",
            "override_tier",
            "override_reason",
            "override_by_name",
            "tier",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = fields


class RiskQuestionnaireSerializer(StrictSerializer):
    """The questionnaire (a tier override is its own request: RiskOverrideSerializer)."""

    impact_on_people = serializers.ChoiceField(choices=ImpactOnPeople.choices)
    decision_autonomy = serializers.ChoiceField(choices=DecisionAutonomy.choices)
    data_sensitivity = serializers.ChoiceField(choices=DataSensitivity.choices)
    decision_scale = serializers.ChoiceField(choices=DecisionScale.choices)
    regulatory_area = serializers.ChoiceField(choices=RegulatoryArea.choices)


class RiskOverrideSerializer(StrictSerializer):
    """A risk officer's tier override: the tier and the reason, nothing else."""

    tier = serializers.IntegerField(min_value=1, max_value=3)
    reason = serializers.CharField(max_length=5000)


class ModelVersionSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug")
    created_by = serializers.CharField(source="created_by.username")
    submitted_by = serializers.CharField(source="submitted_by.username", default=None)

    class Meta:
        model = ModelVersion
        fields = [
            "model",
            "version",
            "status",
            "artifact_sha256",
            "artifact_format",
            "artifact_size",
            "training_data_description",
            "limitations",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "approval_expires_at",
        ]
        read_only_fields = fields


class ModelVersionCreateSerializer(StrictSerializer):
    version = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$",
        max_length=64,
        error_messages={"invalid": "use letters, digits and . _ + - (at most 64)"},
    )
    artifact = serializers.FileField(max_length=200)
    training_data_description = serializers.CharField(
        max_length=10000, required=False, allow_blank=True
    )
    limitations = serializers.CharField(max_length=10000, required=False, allow_blank=True)

    def validate_artifact(self, value):  # type: ignore[no-untyped-def]
        cap = settings.WARDEN_MAX_ARTIFACT_BYTES
        if value.size > cap:
            raise serializers.ValidationError(f"the file is {value.size} bytes; the cap is {cap}")
        if value.size == 0:
            raise serializers.ValidationError("the file is empty")
        return value


class ModelVersionUpdateSerializer(StrictSerializer):
    training_data_description = serializers.CharField(
        max_length=10000, required=False, allow_blank=True
    )
    limitations = serializers.CharField(max_length=10000, required=False, allow_blank=True)


class EventSerializer(serializers.ModelSerializer):
    verb_label = serializers.CharField(source="get_verb_display", read_only=True)

    class Meta:
        model = Event
        fields = [
            "seq",
            "occurred_at",
            "actor_id",
            "actor_name",
            "verb",
            "verb_label",
            "target_type",
            "target_id",
            "target_repr",
            "before",
            "after",
            "note",
            "request_id",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class TrailVerdictSerializer(serializers.Serializer):
    intact = serializers.BooleanField()
    events = serializers.IntegerField()
    head_seq = serializers.IntegerField()
    head_hash = serializers.CharField()
    broken_seq = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    anchors = serializers.IntegerField(help_text="checkpoints and documents compared")

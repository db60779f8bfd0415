"""What the review, deployment, gate and incident API reads and writes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.fields import SlugRelated, StrictSerializer
from governance.models import (
    DECISION_MEANINGS,
    Approval,
    AuthorityReport,
    DecisionKind,
    Deployment,
    Incident,
    IncidentCategory,
    IncidentStatus,
    SeriousKind,
    Severity,
    User,
)
from governance.roles import Role


class ApprovalSerializer(serializers.ModelSerializer):
    manifestation = serializers.CharField(read_only=True)
    accepted_findings = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "id",
            "decision",
            "meaning",
            "comment",
            "conditions",
            "signer_printed_name",
            "signer_username",
            "signed_at",
            "manifestation",
            "artifact_sha256",
            "audit_run_id",
            "audit_result_sha256",
            "transcripts_sha256",
            "signed_sha256",
            "accepted_findings",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "finding": {"type": "integer"},
                    "due_on": {"type": "string", "format": "date"},
                },
            },
        }
    )
    def get_accepted_findings(self, approval: Approval) -> list[dict[str, object]]:
        return [
            {"finding": row.finding_id, "due_on": row.due_on.isoformat()}
            for row in approval.accepted.all()
        ]


class DecisionSerializer(StrictSerializer):
    """A decision is a signature: the password is asked again and a meaning chosen."""

    decision = serializers.ChoiceField(choices=DecisionKind.choices)
    meaning = serializers.ChoiceField(choices=DECISION_MEANINGS)
    password = serializers.CharField(
        max_length=200, trim_whitespace=False, style={"input_type": "password"}
    )
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    conditions = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    accepted_findings = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class DeploymentSerializer(serializers.ModelSerializer):
    deployed_by = serializers.CharField(source="deployed_by.username", read_only=True)

    class Meta:
        model = Deployment
        fields = ["id", "environment", "note", "deployed_by", "deployed_at"]
        read_only_fields = fields


class DeploymentCreateSerializer(StrictSerializer):
    environment = serializers.SlugField(max_length=50)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


BOTH_NAMINGS = (
    "name the version by model and version, or by mlflow_model and mlflow_version, not both"
)


class GateQuerySerializer(StrictSerializer):
    """A version named by Warden's slug and version, or by its MLflow name and version."""

    model = serializers.SlugField(max_length=100, required=False)
    version = serializers.CharField(max_length=64, required=False)
    mlflow_model = serializers.CharField(max_length=256, required=False)
    mlflow_version = serializers.CharField(max_length=64, required=False)
    environment = serializers.SlugField(max_length=50)

    def validate(self, attrs: dict) -> dict:
        warden = {"model", "version"} & set(attrs)
        mlflow = {"mlflow_model", "mlflow_version"} & set(attrs)
        if warden and mlflow:
            raise serializers.ValidationError({"mlflow_model": [BOTH_NAMINGS]})
        pair = ("mlflow_model", "mlflow_version") if mlflow else ("model", "version")
        missing = {name: ["this field is required"] for name in pair if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class GateAnswerSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())


class AuthorityReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthorityReport
        fields = ["id", "authority", "reported_at", "reference"]
        read_only_fields = ["id"]


class AuthorityReportCreateSerializer(StrictSerializer):
    authority = serializers.CharField(max_length=200)
    reported_at = serializers.DateTimeField()
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema_field(OpenApiTypes.STR)
class VersionRef(serializers.Field):
    """A version named as "model-slug:version", the way people write it."""

    def to_representation(self, value):  # type: ignore[no-untyped-def]
        return f"{value.model.slug}:{value.version}"


class IncidentSerializer(serializers.ModelSerializer):
    versions = serializers.ListField(child=VersionRef(), source="versions.all", read_only=True)
    reported_by = serializers.CharField(source="reported_by.username", read_only=True)
    owner = serializers.CharField(source="owner.username", default=None, read_only=True)
    reports = AuthorityReportSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "versions",
            "severity",
            "category",
            "description",
            "aware_at",
            "serious_kind",
            "report_deadline",
            "status",
            "corrective_actions",
            "reported_by",
            "owner",
            "reports",
            "created_at",
            "closed_at",
            "not_reportable_reason",
            "not_reportable_by_name",
            "not_reportable_at",
        ]
        read_only_fields = fields


def risk_officer_queryset():  # type: ignore[no-untyped-def]
    return User.objects.filter(groups__name=Role.RISK_OFFICER, is_active=True)


class IncidentCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    versions = serializers.ListField(
        child=serializers.RegexField(
            r"^[-a-zA-Z0-9_]+:[A-Za-z0-9._+-]+$",
            max_length=170,
            error_messages={"invalid": 'write "model-slug:version"'},
        ),
        min_length=1,
        max_length=100,
    )
    severity = serializers.ChoiceField(choices=Severity.choices)
    category = serializers.ChoiceField(choices=IncidentCategory.choices)
    description = serializers.CharField(max_length=10000)
    aware_at = serializers.DateTimeField()
    serious_kind = serializers.ChoiceField(
        choices=SeriousKind.choices, required=False, allow_blank=True
    )
    owner = SlugRelated(slug_field="username", queryset=risk_officer_queryset(), required=False)


class IncidentUpdateSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    corrective_actions = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    owner = SlugRelated(slug_field="username", queryset=risk_officer_queryset(), required=False)


class NotReportableSerializer(StrictSerializer):
    """A signed finding that a serious incident need not be reported: the reason, and the
    password re-entered (it signs)."""

    reason = serializers.CharField(max_length=10000)
    password = serializers.CharField(
        max_length=200, trim_whitespace=False, style={"input_type": "password"}
    )


class RevalidationSerializer(serializers.Serializer):
    model = serializers.CharField(source="model.slug")
    version = serializers.CharField()
    status = serializers.CharField()
    approval_expires_at = serializers.DateTimeField()
    owner = serializers.CharField(source="model.owner.username")

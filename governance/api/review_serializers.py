"""What the review, deployment, gate and incident API reads and writes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.fields import SlugRelated, StrictSerializer
from governance.models import (
    Approval,
    AuthorityReport,
    DecisionKind,
    Deployment,
    Incident,
    IncidentCategory,
    IncidentStatus,
    SeriousKind,
    Severity,
    SignatureMeaning,
    User,
)
from governance.roles import Role


class ApprovalSerializer(serializers.ModelSerializer):
    manifestation = serializers.CharField(read_only=True)

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
        ]
        read_only_fields = fields


class DecisionSerializer(StrictSerializer):
    """A decision is a signature: the password is asked again and a meaning chosen."""

    decision = serializers.ChoiceField(choices=DecisionKind.choices)
    meaning = serializers.ChoiceField(choices=SignatureMeaning.choices)
    password = serializers.CharField(
        max_length=200, trim_whitespace=False, style={"input_type": "password"}
    )
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    conditions = serializers.CharField(max_length=5000, required=False, allow_blank=True)


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


class GateQuerySerializer(StrictSerializer):
    model = serializers.SlugField(max_length=100)
    version = serializers.CharField(max_length=64)
    environment = serializers.SlugField(max_length=50)


class GateAnswerSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


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

"""What the rules' API (policy and questionnaire versions) reads and writes."""

from rest_framework import serializers

from governance.api.fields import StrictSerializer
from governance.models import PolicyVersion, QuestionnaireVersion, SignatureMeaning

_FIELDS = [
    "id", "name", "version", "status", "note", "content", "content_sha256", "proposed_by",
    "proposed_at", "effective_from", "signer_printed_name", "signer_username", "signed_at",
    "meaning", "manifestation", "signed_sha256",
]  # fmt: skip


class _RuleVersionSerializer(serializers.ModelSerializer):
    """What both kinds of version show; the subclasses name the model."""

    # null for the first versions, which were today's rules before versions were records
    proposed_by = serializers.CharField(
        source="proposed_by.username", default=None, allow_null=True, read_only=True
    )
    manifestation = serializers.CharField(read_only=True)
    meaning = serializers.CharField(read_only=True)  # "" until signed


class PolicyVersionSerializer(_RuleVersionSerializer):
    class Meta:
        model = PolicyVersion
        fields = [*_FIELDS, "review_months"]
        read_only_fields = fields


class QuestionnaireVersionSerializer(_RuleVersionSerializer):
    class Meta:
        model = QuestionnaireVersion
        fields = _FIELDS
        read_only_fields = fields


class QuestionnaireProposalSerializer(StrictSerializer):
    """The questionnaire's JSON (governance.risk.Questionnaire.to_json) and why it changes."""

    content = serializers.JSONField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class PolicyProposalSerializer(QuestionnaireProposalSerializer):
    """The battery's Policy JSON, the review months per tier, and why it changes."""

    review_months = serializers.JSONField()


class RuleApprovalSerializer(StrictSerializer):
    """An approval is a signature: the password asked again, a meaning, an effective date."""

    meaning = serializers.ChoiceField(choices=SignatureMeaning.choices)
    password = serializers.CharField(
        max_length=200, trim_whitespace=False, style={"input_type": "password"}
    )
    effective_from = serializers.DateTimeField(required=False)


class DifferenceSerializer(serializers.Serializer):
    """One row of the comparison of two versions."""

    section = serializers.CharField()
    item = serializers.CharField()
    change = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()

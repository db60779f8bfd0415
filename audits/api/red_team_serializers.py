"""What the red-team API reads and writes. An attempt's texts are shown through
audits.red_team.attempt_texts: harmful ones masked unless the serializer's context says the
reader may read them in full (``full``)."""

from typing import Any

from rest_framework import serializers

from audits.red_team import attempt_texts
from governance.api.fields import SlugRelated, StrictSerializer
from governance.models import (
    AttackCategory,
    AttackSeverity,
    Finding,
    FindingSeverity,
    RedTeamAttempt,
    RedTeamCampaign,
    SeriousKind,
    Severity,
    User,
)


class RedTeamCampaignSerializer(serializers.ModelSerializer):
    members: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )
    started_by = serializers.CharField(source="started_by.username", read_only=True)
    attempts = serializers.IntegerField(source="attempt_count", read_only=True)
    successful = serializers.IntegerField(source="successful_count", read_only=True)

    class Meta:
        model = RedTeamCampaign
        fields = [
            "id",
            "name",
            "scope",
            "members",
            "started_by",
            "started_at",
            "ended_at",
            "attempts",
            "successful",
        ]
        read_only_fields = fields


class RedTeamCampaignCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    scope = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    members = serializers.ListField(
        child=SlugRelated(slug_field="username", queryset=User.objects.filter(is_active=True)),
        required=False,
        max_length=50,
    )


class RedTeamAttemptSerializer(serializers.ModelSerializer):
    """An attempt as the reader may see it: ``masked`` says its texts were withheld."""

    logged_by = serializers.CharField(source="logged_by.username", read_only=True)
    reproduced_by = serializers.CharField(
        source="reproduced_by.username", read_only=True, default=None
    )
    texts = serializers.SerializerMethodField()
    findings: serializers.PrimaryKeyRelatedField[Finding] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = RedTeamAttempt
        fields = [
            "id",
            "campaign",
            "category",
            "severity",
            "succeeded",
            "success_marker",
            "texts",
            "logged_by",
            "logged_at",
            "reproduced",
            "reproduced_by",
            "reproduced_at",
            "promoted_at",
            "incident",
            "findings",
            "withdrawn_at",
            "withdrawn_reason",
        ]
        read_only_fields = fields

    def get_texts(self, attempt: RedTeamAttempt) -> dict[str, Any]:
        shown = attempt_texts(attempt, full=self.context.get("full", False))
        return {
            "prompt": shown.prompt,
            "system": shown.system,
            "context": shown.context,
            "reply": shown.reply,
            "masked": shown.masked,
        }


class RedTeamAttemptCreateSerializer(StrictSerializer):
    prompt = serializers.CharField(max_length=20000, trim_whitespace=False)
    reply = serializers.CharField(max_length=50000, trim_whitespace=False)
    category = serializers.ChoiceField(choices=AttackCategory.choices)
    severity = serializers.ChoiceField(choices=AttackSeverity.choices)
    succeeded = serializers.BooleanField()
    system = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, trim_whitespace=False
    )
    # DRF's metaclass takes declared fields off the class, so this does not shadow .context
    context = serializers.CharField(  # type: ignore[assignment]
        max_length=50000, required=False, allow_blank=True, trim_whitespace=False
    )
    success_marker = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReproductionSerializer(StrictSerializer):
    reproduced = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AttemptIncidentSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices)
    serious_kind = serializers.ChoiceField(
        choices=SeriousKind.choices, required=False, allow_blank=True
    )


class AttemptFindingSerializer(StrictSerializer):
    """A finding from an attempt: only the due date is required, the rest defaults from it."""

    due_on = serializers.DateField()
    owner = SlugRelated(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    severity = serializers.ChoiceField(
        choices=FindingSeverity.choices, required=False, allow_blank=True
    )
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)

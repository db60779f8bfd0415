"""What the audits API reads and writes."""

import json
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.battery.mapping import json_schema
from audits.models import AuditRun, EvaluationSet, Monitor, SetRole
from governance.api.fields import StrictSerializer


@extend_schema_field(json_schema())
class MappingField(serializers.JSONField):
    """The contract's mapping object (docs/mapping.md), as JSON or (in a multipart form) a JSON
    string; its OpenAPI schema is the battery's own declaration of the keys."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as error:
                raise serializers.ValidationError(f"not valid JSON: {error}") from None
        if not isinstance(data, dict):
            raise serializers.ValidationError("must be a JSON object naming at least the label")
        return data


class EvaluationSetSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    mapping = MappingField(read_only=True)

    class Meta:
        model = EvaluationSet
        fields = [
            "id",
            "name",
            "role",
            "original_format",
            "original_sha256",
            "original_size",
            "mapping",
            "rows",
            "columns",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class EvaluationSetUploadSerializer(StrictSerializer):
    file = serializers.FileField(max_length=200, allow_empty_file=True)
    mapping = MappingField(required=False, default=dict)
    role = serializers.ChoiceField(choices=SetRole.choices, default=SetRole.CURRENT)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AuditRunSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="version.model.slug")
    version = serializers.CharField(source="version.version")
    requested_by = serializers.CharField(source="requested_by.username", default=None)
    finished = serializers.BooleanField(source="is_finished", read_only=True)

    class Meta:
        model = AuditRun
        fields = [
            "id",
            "model",
            "version",
            "evaluation_set",
            "reference_set",
            "training_set",
            "with_model",
            "tier",
            "policy_name",
            "policy_version",
            "status",
            "finished",
            "progress",
            "chunks_done",
            "chunks_total",
            "verdict",
            "result_sha256",
            "error",
            "attempt",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "result",
        ]
        read_only_fields = fields


class AuditRunSummarySerializer(AuditRunSerializer):
    """A run without its result document, for lists."""

    class Meta(AuditRunSerializer.Meta):
        fields = [name for name in AuditRunSerializer.Meta.fields if name != "result"]
        read_only_fields = fields


class AuditRequestSerializer(StrictSerializer):
    evaluation_set = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The current set; leave it out to probe an LLM endpoint version live.",
    )
    reference_set = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    training_set = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="A training sample of this version (role training): adds membership inference.",
    )
    with_model = serializers.BooleanField(
        default=True,
        help_text="Run the model checks on the version's artifact (robustness or, for a deep "
        "net, corruption; adversarial, privacy, explainability).",
    )


class TranscriptSerializer(serializers.Serializer):
    """One recorded attempt as shown (audits.transcript_sets.transcripts_shown): a harmful
    probe's prompts masked; the reply as recorded, untrusted text."""

    line = serializers.IntegerField()
    probe_id = serializers.CharField()
    check = serializers.CharField()
    family = serializers.CharField()
    position = serializers.CharField()
    harmful = serializers.BooleanField()
    messages = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    response = serializers.CharField()
    finish_reason = serializers.CharField()
    error = serializers.DictField(child=serializers.CharField(), allow_null=True)
    latency_ms = serializers.FloatField(allow_null=True)
    request_sha256 = serializers.CharField()
    reply_sha256 = serializers.CharField()


class MonitorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Monitor
        fields = ["id", "evaluation_set", "reference_set", "every_hours", "active", "last_run"]
        read_only_fields = fields


class MonitorCreateSerializer(StrictSerializer):
    evaluation_set = serializers.IntegerField(min_value=1)
    reference_set = serializers.IntegerField(min_value=1)
    every_hours = serializers.IntegerField(min_value=1, max_value=24 * 366, default=24)

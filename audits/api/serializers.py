"""What the audits API reads and writes."""

import json
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.battery.mapping import json_schema
from audits.models import (
    AuditRun,
    EvaluationSet,
    MetricPoint,
    Monitor,
    MonitorBatch,
    PointKind,
    Rejudgement,
    SetRole,
)
from audits.monitoring.batch_mapping import DEFAULT_LABEL_COLUMN
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
    # monitor batches come in through their monitor (audits.api.monitors), not here
    role = serializers.ChoiceField(
        choices=[c for c in SetRole.choices if c[0] != SetRole.BATCH], default=SetRole.CURRENT
    )
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
            "policy",
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
        fields = ["id", "evaluation_set", "reference_set", "every_hours", "active", "last_run",
                  "batch_mapping", "row_id", "pull_from"]  # fmt: skip
        read_only_fields = fields


class MonitorCreateSerializer(StrictSerializer):
    """Either `evaluation_set` (re-audit that set on a schedule) or `batch_mapping` (audit the
    batches it receives, pushed or pulled from `pull_from`)."""

    evaluation_set = serializers.IntegerField(min_value=1, required=False)
    reference_set = serializers.IntegerField(min_value=1)
    every_hours = serializers.IntegerField(min_value=1, max_value=24 * 366, default=24)
    batch_mapping = serializers.JSONField(required=False)
    pull_from = serializers.CharField(max_length=1000, required=False, default="")

    def validate(self, attrs: dict) -> dict:
        if ("evaluation_set" in attrs) == ("batch_mapping" in attrs):
            raise serializers.ValidationError(
                {"batch_mapping": ["give either evaluation_set or batch_mapping"]}
            )
        if attrs.get("pull_from") and "batch_mapping" not in attrs:
            raise serializers.ValidationError({"pull_from": ["only a batch monitor pulls"]})
        return attrs


class MonitorBatchSerializer(serializers.ModelSerializer):
    rows = serializers.IntegerField(source="evaluation_set.rows")

    class Meta:
        model = MonitorBatch
        fields = ["id", "monitor", "batch_time", "rows", "evaluation_set", "run",
                  "labelled_set", "labelled_run", "labels_report", "measured_at",
                  "labels_measured_at", "estimate_refused", "received_at"]  # fmt: skip
        read_only_fields = fields


class MonitorBatchUploadSerializer(StrictSerializer):
    file = serializers.FileField(max_length=200, allow_empty_file=True)
    batch_time = serializers.DateTimeField(required=False)


class MonitorLabelsUploadSerializer(StrictSerializer):
    file = serializers.FileField(max_length=200, allow_empty_file=True)
    label_column = serializers.CharField(max_length=200, default=DEFAULT_LABEL_COLUMN)


class MetricPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricPoint
        fields = ["batch", "batch_time", "metric", "subject", "value", "low", "high", "kind"]
        read_only_fields = fields


class HistoryQuerySerializer(StrictSerializer):
    metric = serializers.CharField(max_length=100, required=False)
    subject = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=PointKind.choices, required=False)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class RejudgeSerializer(StrictSerializer):
    """The policy version to judge under (its id); by default the one in force now."""

    policy = serializers.IntegerField(required=False, min_value=1)


class RejudgementSerializer(serializers.ModelSerializer):
    judged_by = serializers.CharField(source="judged_by.username")

    class Meta:
        model = Rejudgement
        fields = ["id", "run", "policy", "tier", "verdict", "result_sha256", "result",
                  "judged_by", "judged_at"]  # fmt: skip
        read_only_fields = fields

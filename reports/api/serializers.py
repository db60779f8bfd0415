"""Shapes of the reports API's answers and inputs."""

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from governance.api.fields import StrictSerializer
from reports.models import JobKind, Report, ReportJob
from reports.scope import TIERS


class ReportSerializer(serializers.ModelSerializer):
    """One issued document, as recorded."""

    model = serializers.CharField(source="version.model.slug", default=None)
    version = serializers.CharField(source="version.version", default=None)
    issued_by = serializers.CharField(source="issued_by.username", default=None)

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "record",
            "model",
            "version",
            "sha256",
            "size",
            "signer_name",
            "signer_fingerprint",
            "is_development_key",
            "signed_at",
            "trail_head_seq",
            "trail_head_hash",
            "issued_by",
        ]
        read_only_fields = fields


class Queued(serializers.Serializer):
    """202: the card was handed to a worker."""

    detail = serializers.CharField()
    version = serializers.CharField()


class VerifyUploadSerializer(StrictSerializer):
    """POST /api/reports/verify/: the PDF as the multipart field `file`."""

    file = serializers.FileField(allow_empty_file=False)


class VerificationSerializer(serializers.Serializer):
    """What verification found (reports.verification.pdf_check)."""

    valid = serializers.BooleanField()
    reason = serializers.CharField()
    is_pdf = serializers.BooleanField()
    signed = serializers.BooleanField()
    intact = serializers.BooleanField()
    ours = serializers.BooleanField(allow_null=True)
    signer = serializers.CharField(allow_null=True)
    signer_fingerprint = serializers.CharField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    record = serializers.CharField(allow_null=True)
    sha256 = serializers.CharField()
    on_record = serializers.BooleanField()
    hash_matches = serializers.BooleanField(allow_null=True)
    report = serializers.DictField(allow_null=True)


class ReportJobRequestSerializer(StrictSerializer):
    """POST /api/reports/jobs/: what to build and, optionally, the scope (reports.scope)."""

    kind = serializers.ChoiceField(choices=JobKind.choices)
    team = serializers.SlugField(required=False, allow_null=True, help_text="a team's slug")
    tier = serializers.ChoiceField(choices=list(TIERS), required=False, allow_null=True)
    period_from = serializers.DateTimeField(
        required=False, allow_null=True, help_text="versions registered at or after"
    )
    period_until = serializers.DateTimeField(
        required=False, allow_null=True, help_text="versions registered before"
    )


class ReportJobSerializer(serializers.ModelSerializer):
    """One portfolio job: its scope, status, progress and, once done, where to download it."""

    scope = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username")
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "scope",
            "status",
            "items_done",
            "items_total",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "result_sha256",
            "result_size",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    def get_scope(self, job: ReportJob) -> dict[str, Any]:
        return job.scope.to_json()

    def get_url(self, job: ReportJob) -> str:
        return reverse("report-job", kwargs={"pk": job.pk})

    def get_download_url(self, job: ReportJob) -> str | None:
        if not job.is_done:
            return None
        return reverse("report-job-download", kwargs={"pk": job.pk})

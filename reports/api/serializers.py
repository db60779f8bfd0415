"""Shapes of the reports API's answers and inputs."""

from rest_framework import serializers

from governance.api.fields import StrictSerializer
from reports.models import Report


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

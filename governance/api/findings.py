"""The findings API: list (filters), raise, read, answer with a remediation (multipart evidence),
close and reopen. Views check the caller's permission, parse input and call one service."""

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from governance import findings, selectors
from governance.api.fields import SlugRelated, StrictSerializer
from governance.api.permissions import HasRole, acting_user
from governance.errors import InvalidInput
from governance.models import Finding, FindingSeverity, FindingStatus, MLModel, Remediation, User
from governance.permissions import (
    require_raise_finding,
    require_remediate_finding,
    require_validate_finding,
)

CHECK_ID = r"^[a-z][a-z0-9_]{0,63}$"


class RemediationSerializer(serializers.ModelSerializer):
    remediated_by = serializers.CharField(source="remediated_by.username", read_only=True)
    evidence = serializers.CharField(source="evidence.name", read_only=True)

    class Meta:
        model = Remediation
        fields = [
            "id",
            "note",
            "audit_run_id",
            "evidence",
            "evidence_sha256",
            "evidence_size",
            "remediated_by",
            "remediated_at",
        ]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug", read_only=True)
    version = serializers.CharField(source="version.version", default=None, read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)
    closed_by = serializers.CharField(source="closed_by.username", default=None, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    blocks_approval = serializers.BooleanField(read_only=True)
    remediations = RemediationSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "model",
            "version",
            "title",
            "severity",
            "description",
            "basis_audit_run_id",
            "basis_check_id",
            "basis_reference",
            "basis_red_team_attempt",
            "owner",
            "due_on",
            "status",
            "overdue",
            "blocks_approval",
            "raised_by",
            "raised_at",
            "closed_by",
            "closed_at",
            "remediations",
        ]
        read_only_fields = fields


class FindingCreateSerializer(StrictSerializer):
    model = SlugRelated(slug_field="slug", queryset=MLModel.objects.all())
    version = serializers.CharField(max_length=64, required=False)
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=FindingSeverity.choices)
    description = serializers.CharField(max_length=10000)
    owner = SlugRelated(slug_field="username", queryset=User.objects.all())
    due_on = serializers.DateField()
    basis_audit_run_id = serializers.IntegerField(min_value=1, required=False)
    basis_check_id = serializers.RegexField(CHECK_ID, required=False)
    basis_reference = serializers.CharField(max_length=500, required=False)


class FindingFilterSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=["open", *FindingStatus.values], required=False)
    severity = serializers.ChoiceField(choices=FindingSeverity.choices, required=False)
    model = SlugRelated(slug_field="slug", queryset=MLModel.objects.all(), required=False)
    overdue = serializers.BooleanField(required=False)
    page = serializers.IntegerField(min_value=1, required=False)


class RemediationCreateSerializer(StrictSerializer):
    note = serializers.CharField(max_length=10000)
    audit_run_id = serializers.IntegerField(min_value=1, required=False)
    evidence = serializers.FileField(required=False)


class CloseSerializer(StrictSerializer):
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True)


class ReopenSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=10000)


def _valid(serializer: serializers.Serializer) -> dict:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Validation findings: everyone with a role reads; risk officers raise and validate; the
    owner or the model's team answers."""

    permission_classes = [HasRole]
    serializer_class = FindingSerializer
    filter_backends: list = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Finding]:
        if self.action != "list":
            return selectors.finding_list()
        filters = _valid(FindingFilterSerializer(data=self.request.query_params.dict()))
        filters.pop("page", None)
        return selectors.finding_list(**filters)

    @extend_schema(parameters=[FindingFilterSerializer])
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer})
    def create(self, request: Request) -> Response:
        require_raise_finding(acting_user(request))
        data = _valid(FindingCreateSerializer(data=request.data))
        number = data.pop("version", None)
        if number is not None:
            data["version"] = data["model"].versions.filter(version=number).first()
            if data["version"] is None:
                raise InvalidInput(
                    f"{data['model'].slug} has no version {number!r}", field="version"
                )
        finding = findings.finding_raise(actor=acting_user(request), **data)
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data, status=201)

    @extend_schema(request=RemediationCreateSerializer, responses={201: FindingSerializer})
    def remediate(self, request: Request, pk: str) -> Response:
        finding = self.get_object()
        require_remediate_finding(acting_user(request), finding)
        data = _valid(RemediationCreateSerializer(data=request.data))
        findings.finding_remediate(actor=acting_user(request), finding=finding, **data)
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data, status=201)

    @extend_schema(request=CloseSerializer, responses=FindingSerializer)
    def close(self, request: Request, pk: str) -> Response:
        return self._validate(request, CloseSerializer, findings.finding_close)

    @extend_schema(request=ReopenSerializer, responses=FindingSerializer)
    def reopen(self, request: Request, pk: str) -> Response:
        return self._validate(request, ReopenSerializer, findings.finding_reopen)

    def _validate(
        self, request: Request, form: type[serializers.Serializer], service: Callable[..., Finding]
    ) -> Response:
        """The validator's two acts: permission first, then the body, then the service."""
        finding = self.get_object()
        require_validate_finding(acting_user(request), finding)
        data = _valid(form(data=request.data))
        service(actor=acting_user(request), finding=finding, **data)
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data)

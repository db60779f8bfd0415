"""The review API: submit, decide (sign), suspend, retire, reopen, deploy, the gate, incidents
and revalidations. Views parse input, call one service and shape the output."""

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from governance import decisions, incidents, lifecycle
from governance.api import review_serializers as s
from governance.api.permissions import CanAskGate, HasRole, acting_user
from governance.api.serializers import ModelVersionSerializer
from governance.errors import InvalidInput, NotFound
from governance.gate import gate_decision_count, gate_refusals, gate_versions, gate_warnings
from governance.models import (
    Approval,
    Deployment,
    Incident,
    MLflowModelLink,
    MLflowVersionLink,
    MLModel,
    ModelVersion,
    User,
)
from governance.permissions import (
    require_change_model,
    require_decide,
    require_record_authority_report,
    require_report_incidents,
    require_retire,
    require_suspend,
    require_update_incident,
)


def version_or_404(
    slug: str, version: str, versions: QuerySet[ModelVersion] | None = None
) -> ModelVersion:
    """Version `version` of model `slug` (read from `versions` when given); a 404 that says
    which of the two is missing."""
    if versions is None:
        versions = ModelVersion.objects.select_related("model")
    found = versions.filter(model__slug=slug, version=version).first()
    if found is not None:
        return found
    if not MLModel.objects.filter(slug=slug).exists():
        raise NotFound(f"no model has the slug {slug!r}", field="model")
    raise NotFound(f"model {slug!r} has no version {version!r}", field="version")


def mlflow_version_or_404(name: str, number: str) -> MLflowVersionLink:
    """The synced MLflow version `number` of registered model `name`; a 404 naming the field."""
    found = MLflowVersionLink.objects.filter(model_link__name=name, mlflow_version=number).first()
    if found is not None:
        return found
    if not MLflowModelLink.objects.filter(name=name).exists():
        raise NotFound(f"no MLflow model {name!r} has been synced", field="mlflow_model")
    raise NotFound(
        f"MLflow model {name!r} has no synced version {number!r}", field="mlflow_version"
    )


def _version_response(version: ModelVersion) -> Response:
    return Response(ModelVersionSerializer(version).data)


@extend_schema(request=None, responses=ModelVersionSerializer)
@api_view(["POST"])
@permission_classes([HasRole])
def version_submit(request: Request, slug: str, version: str) -> Response:
    """An engineer submits the version for review with its latest completed audit."""
    return _version_response(
        lifecycle.version_submit(actor=acting_user(request), version=version_or_404(slug, version))
    )


@extend_schema(request=None, responses=ModelVersionSerializer)
@api_view(["POST"])
@permission_classes([HasRole])
def version_reopen(request: Request, slug: str, version: str) -> Response:
    """After changes were requested, the team takes the version back to draft."""
    return _version_response(
        lifecycle.version_reopen(actor=acting_user(request), version=version_or_404(slug, version))
    )


def _with_reason(request: Request) -> str:
    """The body's reason, read only once the caller's permission was checked."""
    form = s.ReasonSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    return form.validated_data["reason"]


@extend_schema(request=s.ReasonSerializer, responses=ModelVersionSerializer)
@api_view(["POST"])
@permission_classes([HasRole])
def version_suspend(request: Request, slug: str, version: str) -> Response:
    """A risk officer suspends a live version, with the reason."""
    target = version_or_404(slug, version)
    require_suspend(acting_user(request), target.model)
    reason = _with_reason(request)
    return _version_response(
        lifecycle.version_suspend(actor=acting_user(request), version=target, reason=reason)
    )


@extend_schema(request=s.ReasonSerializer, responses=ModelVersionSerializer)
@api_view(["POST"])
@permission_classes([HasRole])
def version_retire(request: Request, slug: str, version: str) -> Response:
    """The team or a risk officer retires the version, with the reason."""
    target = version_or_404(slug, version)
    require_retire(acting_user(request), target.model)
    reason = _with_reason(request)
    return _version_response(
        lifecycle.version_retire(actor=acting_user(request), version=target, reason=reason)
    )


class DecisionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A version's signed decisions; POST signs one (risk officers, password re-entered)."""

    permission_classes = [HasRole]
    serializer_class = s.ApprovalSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Approval]:
        if getattr(self, "swagger_fake_view", False):
            return Approval.objects.none()
        return version_or_404(self.kwargs["slug"], self.kwargs["version"]).approvals.all()

    @extend_schema(request=s.DecisionSerializer, responses={201: s.ApprovalSerializer})
    def create(self, request: Request, slug: str, version: str) -> Response:
        target = version_or_404(slug, version)
        require_decide(acting_user(request))
        form = s.DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        approval = decisions.decision_record(
            actor=acting_user(request), version=target, **form.validated_data
        )
        return Response(s.ApprovalSerializer(approval).data, status=201)


class DeploymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A version's deployments; POST records one (approved, unexpired, unsuspended only)."""

    permission_classes = [HasRole]
    serializer_class = s.DeploymentSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Deployment]:
        if getattr(self, "swagger_fake_view", False):
            return Deployment.objects.none()
        version = version_or_404(self.kwargs["slug"], self.kwargs["version"])
        return version.deployments.select_related("deployed_by")

    @extend_schema(request=s.DeploymentCreateSerializer, responses={201: s.DeploymentSerializer})
    def create(self, request: Request, slug: str, version: str) -> Response:
        target = version_or_404(slug, version)
        require_change_model(acting_user(request), target.model)
        form = s.DeploymentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        deployment = lifecycle.deployment_record(
            actor=acting_user(request), version=target, **form.validated_data
        )
        return Response(s.DeploymentSerializer(deployment).data, status=201)


@extend_schema(
    parameters=[
        OpenApiParameter(name, str, required=name == "environment")
        for name in ("model", "version", "mlflow_model", "mlflow_version", "environment")
    ],
    responses=s.GateAnswerSerializer,
)
@api_view(["GET"])
@permission_classes([CanAskGate])
def gate(request: Request) -> Response:
    """May this version be deployed to this environment now? Every reason it may not, and
    what it may but should know (an overdue attestation under the "warn" setting)."""
    form = s.GateQuerySerializer(data=request.query_params.dict())
    form.is_valid(raise_exception=True)
    query = form.validated_data
    if "mlflow_model" in query:
        link = mlflow_version_or_404(query["mlflow_model"], query["mlflow_version"])
        if link.version is None:
            return Response({"allowed": False, "reasons": [link.refusal], "warnings": []})
        version = gate_versions().get(pk=link.version.pk)
    else:
        version = version_or_404(query["model"], query["version"], gate_versions())
    refusals = gate_refusals(version)
    gate_decision_count(refusals)
    reasons = [text for _, text in refusals]
    return Response(
        {"allowed": not reasons, "reasons": reasons, "warnings": gate_warnings(version)}
    )


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The incident register: list (filter by status, severity), report, update."""

    permission_classes = [HasRole]
    serializer_class = s.IncidentSerializer
    filterset_fields = ["status", "severity", "category", "serious_kind"]
    ordering_fields = ["aware_at", "report_deadline"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Incident]:
        return Incident.objects.select_related("reported_by", "owner").prefetch_related(
            "versions__model", "reports"
        )

    @extend_schema(request=s.IncidentCreateSerializer, responses={201: s.IncidentSerializer})
    def create(self, request: Request) -> Response:
        require_report_incidents(acting_user(request))
        form = s.IncidentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        data["versions"] = [_version_from_ref(ref) for ref in data["versions"]]
        incident = incidents.incident_report(actor=acting_user(request), **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=incident.pk)).data, status=201
        )

    @extend_schema(request=s.IncidentUpdateSerializer, responses=s.IncidentSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        incident = self.get_object()
        require_update_incident(acting_user(request), incident)
        form = s.IncidentUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        incidents.incident_update(
            actor=acting_user(request), incident=incident, changes=dict(form.validated_data)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=incident.pk)).data)

    @extend_schema(
        request=s.AuthorityReportCreateSerializer, responses={201: s.AuthorityReportSerializer}
    )
    def authority_report(self, request: Request, pk: str) -> Response:
        incident = self.get_object()
        require_record_authority_report(acting_user(request))
        form = s.AuthorityReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = incidents.authority_report_record(
            actor=acting_user(request), incident=incident, **form.validated_data
        )
        return Response(s.AuthorityReportSerializer(report).data, status=201)

    @extend_schema(request=s.NotReportableSerializer, responses=s.IncidentSerializer)
    def not_reportable(self, request: Request, pk: str) -> Response:
        """A risk officer signs that the serious incident is not reportable, and why."""
        incident = self.get_object()
        form = s.NotReportableSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        incidents.incident_not_reportable_sign(
            actor=cast(User, request.user), incident=incident, **form.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=incident.pk)).data)


def _version_from_ref(ref: str) -> ModelVersion:
    slug, number = ref.split(":", 1)
    found = (
        ModelVersion.objects.select_related("model__team")
        .filter(model__slug=slug, version=number)
        .first()
    )
    if found is None:
        raise InvalidInput(f"no version {ref}", field="versions")
    return found


@extend_schema(
    responses={
        200: {
            "type": "object",
            "properties": {
                "overdue": {"type": "array", "items": {"type": "object"}},
                "due": {"type": "array", "items": {"type": "object"}},
            },
        }
    }
)
@api_view(["GET"])
@permission_classes([HasRole])
def revalidations(request: Request) -> Response:
    """Live versions whose approval has lapsed (overdue) or lapses within the notice period."""
    found = lifecycle.revalidations()
    return Response(
        {key: s.RevalidationSerializer(rows, many=True).data for key, rows in found.items()}
    )

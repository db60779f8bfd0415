"""The registry API: models, risk assessments, versions and the read-only trail. Views only
parse input, call one service or selector and shape the output."""

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from governance import services
from governance.api import serializers as s
from governance.api.outbox import AFTER_SEQ, LIMIT, events_cursor
from governance.api.outbox_serializers import EventCursorPageSerializer
from governance.api.permissions import HasRole, acting_user
from governance.api.review import version_or_404
from governance.api.throttles import UploadThrottleMixin
from governance.inventory_forms import InventoryFilterForm
from governance.models import Event, MLModel, ModelVersion, RiskAssessment
from governance.permissions import (
    require_assess_risk,
    require_change_model,
    require_register_models,
)
from governance.search import inventory_filter
from governance.trail import trail_verify


class TokenView(ObtainAuthToken):
    """Username + password -> token, throttled ("auth" rate) and behind django-axes' lockout."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                minutes = round(settings.AXES_COOLOFF_TIME * 60)
                message = f"too many failed logins: the account is locked for {minutes} minutes"
                return Response({"detail": [message]}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise


# The list reads rows, not model instances: a page of 50 builds no objects (issue #9's load).
SUMMARY_COLUMNS = [
    "slug",
    "name",
    "owner__username",
    "team__slug",
    "model_type",
    "is_vendor",
    "risk_tier",
    "updated_at",
]


SEARCH_DOCS = [
    OpenApiParameter("q", str, description="text in the name, slug, purpose, tags or field values"),
    OpenApiParameter("owner", str, description="the owner's username"),
    OpenApiParameter("tag", str, description="a tag's slug"),
    OpenApiParameter("field", str, description="a custom field's key (with `value`)"),
    OpenApiParameter("value", str, description="the value `field` must have"),
    OpenApiParameter(
        "flags",
        str,
        many=True,
        description="governance.search.INVENTORY_FLAGS names, all must hold",
    ),
]


# The inventory search's own parameters (governance.search); the rest are filterset_fields.
SEARCH_PARAMS = frozenset(parameter.name for parameter in SEARCH_DOCS)


@extend_schema_view(list=extend_schema(parameters=SEARCH_DOCS))
class MLModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The model inventory: list (filter by team, tier, type, owner; search by text, tag, a
    custom field's value and flags such as `flags=overdue_revalidation`), register, update."""

    permission_classes = [HasRole]
    serializer_class = s.MLModelSerializer
    lookup_field = "slug"
    filterset_fields = {
        "team__slug": ["exact"],
        "risk_tier": ["exact", "isnull"],
        "model_type": ["exact"],
        "owner__username": ["exact"],
        "is_vendor": ["exact"],
    }
    search_fields = ["name", "slug", "purpose"]
    ordering_fields = ["name", "risk_tier", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[MLModel]:
        if self.action == "list":
            models = MLModel.objects.all()
            if not self.request.query_params.keys().isdisjoint(SEARCH_PARAMS):
                form = InventoryFilterForm(self.request.query_params)
                if not form.is_valid():
                    raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
                models = inventory_filter(models, form.query())
            return models.values(*SUMMARY_COLUMNS)  # type: ignore[return-value]
        return MLModel.objects.select_related("owner", "team").prefetch_related("depends_on")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return s.MLModelSummarySerializer if self.action == "list" else s.MLModelSerializer

    @extend_schema(request=s.MLModelWriteSerializer, responses={201: s.MLModelSerializer})
    def create(self, request: Request) -> Response:
        require_register_models(acting_user(request))
        form = s.MLModelWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        team = data.pop("team", None) or acting_user(request).team
        if team is None:
            return Response({"team": ["name the team that owns the model"]}, status=400)
        owner = data.pop("owner", acting_user(request))
        model = services.mlmodel_register(
            actor=acting_user(request), team=team, owner=owner, **data
        )
        return Response(s.MLModelSerializer(model).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MLModelWriteSerializer, responses=s.MLModelSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        model = self.get_object()
        require_change_model(acting_user(request), model)
        form = s.MLModelWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        model = services.mlmodel_update(
            actor=acting_user(request), model=model, changes=dict(form.validated_data)
        )
        return Response(s.MLModelSerializer(model).data)


class RiskAssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A model's risk assessments, newest (the current one) first; POST files a questionnaire."""

    permission_classes = [HasRole]
    serializer_class = s.RiskAssessmentSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL kwargs
            return RiskAssessment.objects.none()
        model = get_object_or_404(MLModel, slug=self.kwargs["slug"])
        return model.assessments.select_related("assessed_by")

    @extend_schema(
        request=s.RiskQuestionnaireSerializer, responses={201: s.RiskAssessmentSerializer}
    )
    def create(self, request: Request, slug: str) -> Response:
        model = get_object_or_404(MLModel, slug=slug)
        require_assess_risk(acting_user(request), model, overriding=False)
        form = s.RiskQuestionnaireSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        assessment = services.risk_assessment_record(
            actor=acting_user(request), model=model, answers=dict(form.validated_data)
        )
        return Response(s.RiskAssessmentSerializer(assessment).data, status=201)

    @extend_schema(request=s.RiskOverrideSerializer, responses={201: s.RiskAssessmentSerializer})
    def override(self, request: Request, slug: str) -> Response:
        """A risk officer overrides the computed tier: the tier and the reason."""
        model = get_object_or_404(MLModel, slug=slug)
        form = s.RiskOverrideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        assessment = services.risk_tier_override(
            actor=acting_user(request), model=model, **form.validated_data
        )
        return Response(s.RiskAssessmentSerializer(assessment).data, status=201)


class ModelVersionViewSet(
    UploadThrottleMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A model's versions: list, upload a new one (multipart artifact), read, edit while draft."""

    permission_classes = [HasRole]
    serializer_class = s.ModelVersionSerializer
    lookup_field = "version"
    lookup_value_regex = r"[A-Za-z0-9._+-]+"
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[ModelVersion]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL kwargs
            return ModelVersion.objects.none()
        return ModelVersion.objects.filter(model__slug=self.kwargs["slug"]).select_related(
            "model", "created_by", "submitted_by"
        )

    def get_object(self) -> ModelVersion:
        return version_or_404(self.kwargs["slug"], self.kwargs["version"], self.get_queryset())

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        get_object_or_404(MLModel, slug=self.kwargs["slug"])
        return super().list(request)

    @extend_schema(
        request=s.ModelVersionCreateSerializer, responses={201: s.ModelVersionSerializer}
    )
    def create(self, request: Request, slug: str) -> Response:
        model = get_object_or_404(MLModel, slug=slug)
        require_change_model(acting_user(request), model)
        form = s.ModelVersionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = services.version_create(
            actor=acting_user(request), model=model, **form.validated_data
        )
        return Response(s.ModelVersionSerializer(version).data, status=201)

    @extend_schema(request=s.ModelVersionUpdateSerializer, responses=s.ModelVersionSerializer)
    def partial_update(self, request: Request, slug: str, version: str) -> Response:
        instance = self.get_object()
        require_change_model(acting_user(request), instance.model)
        form = s.ModelVersionUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        instance = services.version_update(
            actor=acting_user(request), version=instance, changes=dict(form.validated_data)
        )
        return Response(s.ModelVersionSerializer(instance).data)


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """The trail, read-only: filter by verb, target or actor; `verify/` checks the chain."""

    permission_classes = [HasRole]
    serializer_class = s.EventSerializer
    queryset = Event.objects.all()
    lookup_field = "seq"
    filterset_fields = ["verb", "target_type", "target_id", "actor_name", "request_id"]
    ordering_fields = ["seq"]

    @extend_schema(parameters=[AFTER_SEQ, LIMIT], responses=EventCursorPageSerializer)
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Pages of the trail; with `after_seq`, the SIEM cursor instead (seq order, `limit`
        rows, `next_after_seq`)."""
        if "after_seq" in request.query_params:
            return events_cursor(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.TrailVerdictSerializer)
    @action(detail=False, methods=["get"])
    def verify(self, request: Request) -> Response:
        verdict = trail_verify()
        return Response(s.TrailVerdictSerializer(verdict).data)

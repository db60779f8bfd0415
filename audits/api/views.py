"""The audits API: evaluation-set uploads, audit runs and their progress, monitors."""

from django.db.models import QuerySet
from django.http import HttpRequest
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audits.api import serializers as s
from audits.errors import UploadTooLarge
from audits.models import AuditRun, EvaluationSet, Monitor
from audits.monitoring import batches
from audits.selectors import run_transcripts
from audits.services import evaluation_sets, monitors, rejudgements, runs
from audits.uploads import CappedUploadHandler, upload_refusal
from governance.api.permissions import HasRole, acting_user
from governance.api.review import version_or_404
from governance.api.throttles import UploadThrottleMixin
from governance.errors import NotFound
from governance.models import ModelVersion, PolicyVersion
from governance.permissions import require_start_audit, require_upload


class EvaluationSetViewSet(UploadThrottleMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A version's evaluation sets; POST uploads one (multipart: file, mapping JSON, role)."""

    permission_classes = [HasRole]
    serializer_class = s.EvaluationSetSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["role"]

    def initialize_request(self, request: HttpRequest, *args: object, **kwargs: object) -> Request:
        # The cap must be in place before anything reads the body.
        request.upload_handlers = [CappedUploadHandler(request), *request.upload_handlers]
        return super().initialize_request(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[EvaluationSet]:
        if getattr(self, "swagger_fake_view", False):
            return EvaluationSet.objects.none()
        version = version_or_404(self.kwargs["slug"], self.kwargs["version"])
        return version.evaluation_sets.select_related("uploaded_by")

    @extend_schema(
        request=s.EvaluationSetUploadSerializer, responses={201: s.EvaluationSetSerializer}
    )
    def create(self, request: Request, slug: str, version: str) -> Response:
        target = version_or_404(slug, version)
        require_upload(acting_user(request), target)
        form = s.EvaluationSetUploadSerializer(data=request.data)
        refused = upload_refusal(request._request)
        if refused:
            raise UploadTooLarge(refused, field="file")
        form.is_valid(raise_exception=True)
        created = evaluation_sets.evaluation_set_upload(
            actor=acting_user(request), version=target, **form.validated_data
        )
        return Response(s.EvaluationSetSerializer(created).data, status=201)


class VersionAuditViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A version's audit runs; POST starts one and answers 202 with the queued run."""

    permission_classes = [HasRole]
    serializer_class = s.AuditRunSummarySerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    filterset_fields = ["status", "verdict"]

    def get_queryset(self) -> QuerySet[AuditRun]:
        if getattr(self, "swagger_fake_view", False):
            return AuditRun.objects.none()
        version = version_or_404(self.kwargs["slug"], self.kwargs["version"])
        return version.audit_runs.select_related("version__model", "requested_by")

    @extend_schema(request=s.AuditRequestSerializer, responses={202: s.AuditRunSerializer})
    def create(self, request: Request, slug: str, version: str) -> Response:
        target = version_or_404(slug, version)
        require_start_audit(acting_user(request), target)
        form = s.AuditRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        current_id = form.validated_data.get("evaluation_set")
        current = _set_or_400(target, current_id, "evaluation_set") if current_id else None
        reference_id = form.validated_data.get("reference_set")
        reference = _set_or_400(target, reference_id, "reference_set") if reference_id else None
        training_id = form.validated_data.get("training_set")
        training = _set_or_400(target, training_id, "training_set") if training_id else None
        run = runs.audit_run_request(
            actor=acting_user(request),
            version=target,
            evaluation_set=current,
            reference_set=reference,
            training_set=training,
            with_model=form.validated_data["with_model"],
        )
        return Response(s.AuditRunSerializer(run).data, status=202)


def _set_or_400(version: ModelVersion, set_id: int, field: str) -> EvaluationSet:
    from governance.errors import InvalidInput

    found = EvaluationSet.objects.filter(pk=set_id, version__model=version.model).first()
    if found is None:
        raise InvalidInput(
            f"no evaluation set {set_id} belongs to {version.model.slug}", field=field
        )
    return found


class AuditRunViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One run: status, progress per check, the result document and its verdict; an LLM
    audit's transcripts, paged, harmful prompts masked (replies are untrusted text); POST
    rejudge/ judges its measurements under another policy version, nothing recomputed."""

    permission_classes = [HasRole]
    serializer_class = s.AuditRunSerializer
    queryset = AuditRun.objects.select_related("version__model", "requested_by", "evaluation_set")

    @extend_schema(responses={200: s.TranscriptSerializer(many=True)})
    @action(detail=True)
    def transcripts(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(run_transcripts(self.get_object()))  # type: ignore[arg-type]
        return self.get_paginated_response(s.TranscriptSerializer(page, many=True).data)

    @extend_schema(request=s.RejudgeSerializer, responses={201: s.RejudgementSerializer})
    def rejudge(self, request: Request, pk: int) -> Response:
        run = self.get_object()
        require_start_audit(acting_user(request), run.version)
        form = s.RejudgeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        policy = None
        if "policy" in form.validated_data:
            policy = PolicyVersion.objects.filter(pk=form.validated_data["policy"]).first()
            if policy is None:
                raise NotFound("no policy version has that id", field="policy")
        judged = rejudgements.audit_run_rejudge(actor=acting_user(request), run=run, policy=policy)
        return Response(s.RejudgementSerializer(judged).data, status=201)


class MonitorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A version's scheduled monitoring audits; POST schedules one."""

    permission_classes = [HasRole]
    serializer_class = s.MonitorSerializer

    def get_queryset(self) -> QuerySet[Monitor]:
        if getattr(self, "swagger_fake_view", False):
            return Monitor.objects.none()
        version = version_or_404(self.kwargs["slug"], self.kwargs["version"])
        return Monitor.objects.filter(version=version).order_by("id")

    @extend_schema(request=s.MonitorCreateSerializer, responses={201: s.MonitorSerializer})
    def create(self, request: Request, slug: str, version: str) -> Response:
        target = version_or_404(slug, version)
        require_start_audit(acting_user(request), target)
        form = s.MonitorCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if "batch_mapping" in data:
            monitor = batches.batch_monitor_create(
                actor=acting_user(request),
                version=target,
                reference_set=_set_or_400(target, data["reference_set"], "reference_set"),
                mapping=data["batch_mapping"],
                pull_from=data["pull_from"],
                every_hours=data["every_hours"],
            )
            return Response(s.MonitorSerializer(monitor).data, status=201)
        monitor = monitors.monitor_create(
            actor=acting_user(request),
            version=target,
            evaluation_set=_set_or_400(target, data["evaluation_set"], "evaluation_set"),
            reference_set=_set_or_400(target, data["reference_set"], "reference_set"),
            every_hours=data["every_hours"],
        )
        return Response(s.MonitorSerializer(monitor).data, status=201)

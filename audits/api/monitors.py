"""The batch-monitor API: batches pushed to a monitor, their labels, and its history (JSON and
CSV). Reading needs a reading role, like every record of a version; pushing needs the upload
right on the monitored version (governance.permissions.require_upload)."""

import csv
import io

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audits.api import serializers as s
from audits.errors import UploadTooLarge
from audits.models import MetricPoint, Monitor, MonitorBatch
from audits.monitoring import batches, history, labels
from audits.uploads import CappedUploadHandler, upload_refusal
from governance.api.permissions import HasRole, acting_user
from governance.api.throttles import UploadThrottleMixin
from governance.errors import NotFound
from governance.permissions import require_upload
from governance.spreadsheet import starts_like_formula


def monitor_or_404(pk: int) -> Monitor:
    found = Monitor.objects.select_related("model", "version", "reference_set").filter(pk=pk)
    monitor = found.first()
    if monitor is None:
        raise NotFound(f"no monitor has the id {pk}", field="monitor")
    return monitor


class _Uploads(UploadThrottleMixin, viewsets.GenericViewSet):
    permission_classes = [HasRole]
    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request: HttpRequest, *args: object, **kwargs: object) -> Request:
        request.upload_handlers = [CappedUploadHandler(request), *request.upload_handlers]
        return super().initialize_request(request, *args, **kwargs)

    def _refuse_oversized(self, request: Request) -> None:
        refused = upload_refusal(request._request)
        if refused:
            raise UploadTooLarge(refused, field="file")


class MonitorBatchViewSet(_Uploads, mixins.ListModelMixin):
    """A batch monitor's batches; POST pushes one (multipart: file, optional batch_time)."""

    serializer_class = s.MonitorBatchSerializer

    def get_queryset(self) -> QuerySet[MonitorBatch]:
        if getattr(self, "swagger_fake_view", False):
            return MonitorBatch.objects.none()
        monitor = monitor_or_404(self.kwargs["monitor"])
        return monitor.batches.select_related("evaluation_set").order_by("batch_time", "id")

    @extend_schema(
        request=s.MonitorBatchUploadSerializer, responses={201: s.MonitorBatchSerializer}
    )
    def create(self, request: Request, monitor: int) -> Response:
        target = monitor_or_404(monitor)
        require_upload(acting_user(request), target.version)
        self._refuse_oversized(request)
        form = s.MonitorBatchUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        batch = batches.monitor_batch_receive(
            actor=acting_user(request), monitor=target, **form.validated_data
        )
        return Response(s.MonitorBatchSerializer(batch).data, status=201)

    @extend_schema(
        request=s.MonitorLabelsUploadSerializer, responses={201: s.MonitorBatchSerializer}
    )
    def labels(self, request: Request, monitor: int, pk: int) -> Response:
        target = monitor_or_404(monitor)
        batch = target.batches.select_related("evaluation_set", "monitor").filter(pk=pk).first()
        if batch is None:
            raise NotFound(f"monitor #{monitor} has no batch {pk}", field="batch")
        require_upload(acting_user(request), target.version)
        self._refuse_oversized(request)
        form = s.MonitorLabelsUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        labelled = labels.monitor_batch_labels(
            actor=acting_user(request), batch=batch, file=data["file"], label=data["label_column"]
        )
        return Response(s.MonitorBatchSerializer(labelled).data, status=201)


def _points(request: Request, monitor: int) -> QuerySet[MetricPoint]:
    query = s.HistoryQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return history.monitor_history(monitor_or_404(monitor), **query.validated_data)


class MonitorHistoryViewSet(viewsets.GenericViewSet):
    """A monitor's history: its batches' points, filtered by metric, subject (a feature or a
    group), kind (realised / estimated) and batch time (since inclusive, until exclusive)."""

    permission_classes = [HasRole]
    serializer_class = s.MetricPointSerializer
    pagination_class = None
    # Only for the schema: the actions answer from _points, never from this.
    queryset = MetricPoint.objects.none()

    @extend_schema(parameters=[s.HistoryQuerySerializer])
    def list(self, request: Request, monitor: int) -> Response:
        return Response(s.MetricPointSerializer(_points(request, monitor), many=True).data)

    @extend_schema(
        parameters=[s.HistoryQuerySerializer], responses={(200, "text/csv"): OpenApiTypes.STR}
    )
    def csv(self, request: Request, monitor: int) -> HttpResponse:
        """The same points as CSV; formula-like cells neutralised."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(history.HISTORY_COLUMNS)
        for row in history.history_rows(_points(request, monitor)):
            writer.writerow(
                [f"'{c}" if isinstance(c, str) and starts_like_formula(c) else c for c in row]
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="monitor-{monitor}-history.csv"'
        return response

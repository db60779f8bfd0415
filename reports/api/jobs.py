"""The portfolio jobs API: ask a worker for a compliance report or an evidence bundle of a
scope (202 with the job's URL), follow its status and progress, download its file once done."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from governance.api.permissions import HasRole, acting_user
from reports import jobs, selectors
from reports.api.serializers import ReportJobRequestSerializer, ReportJobSerializer
from reports.models import JobKind
from reports.permissions import require_read_portfolio

CONTENT_TYPES = {JobKind.COMPLIANCE: "application/pdf", JobKind.EVIDENCE: "application/zip"}


@extend_schema(methods=["GET"], responses=ReportJobSerializer(many=True))
@extend_schema(
    methods=["POST"], request=ReportJobRequestSerializer, responses={202: ReportJobSerializer}
)
@api_view(["GET", "POST"])
@permission_classes([HasRole])
def report_jobs(request: Request) -> Response:
    """GET: the newest portfolio jobs. POST: queue one (202, its URL in Location)."""
    actor = acting_user(request)
    require_read_portfolio(actor)  # before the body is read: a refusal tells nothing of it
    if request.method == "GET":
        return Response(ReportJobSerializer(selectors.report_job_list()[:50], many=True).data)
    form = ReportJobRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    job = jobs.report_job_request(actor=actor, **form.validated_data)
    answer = ReportJobSerializer(job).data
    return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})


@extend_schema(responses=ReportJobSerializer)
@api_view(["GET"])
@permission_classes([HasRole])
def report_job(request: Request, pk: int) -> Response:
    """The job's status, progress and, once done, its download URL."""
    require_read_portfolio(acting_user(request))
    return Response(ReportJobSerializer(selectors.report_job_get(pk)).data)


@extend_schema(
    operation_id="report_job_download",
    responses={
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
        404: OpenApiTypes.OBJECT,
        409: OpenApiTypes.OBJECT,
    },
)
@api_view(["GET"])
@permission_classes([HasRole])
def report_job_download(request: Request, pk: int) -> FileResponse:
    """The job's file (the signed PDF or the ZIP); 409 until the job is done."""
    job = jobs.report_job_download(actor=acting_user(request), job=selectors.report_job_get(pk))
    response = FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=(job.result.name or "").rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES[JobKind(job.kind)],
    )
    response["X-Warden-SHA256"] = job.result_sha256
    return response

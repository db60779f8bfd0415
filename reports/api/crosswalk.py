"""The crosswalk API: a model's or version's regulation coverage, and its signed Annex IV
technical documentation (issued on POST, the newest downloaded on GET)."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from governance.api.permissions import HasRole, acting_user
from governance.api.review import version_or_404
from governance.errors import NotFound
from governance.models import MLModel
from reports import services
from reports.api.serializers import ReportSerializer
from reports.api.views import pdf_response
from reports.crosswalk.coverage import coverage_of
from reports.models import Report, ReportKind


@extend_schema(operation_id="model_coverage", responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([HasRole])
def model_coverage(request: Request, slug: str) -> Response:
    """Every control of the frameworks the model's regimes choose, on its newest version."""
    model = get_object_or_404(MLModel, slug=slug)
    return Response(coverage_of(model).to_json())


@extend_schema(operation_id="version_coverage", responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([HasRole])
def version_coverage(request: Request, slug: str, version: str) -> Response:
    """Every control of the frameworks the model's regimes choose, on this version."""
    target = version_or_404(slug, version)
    return Response(coverage_of(target.model, target).to_json())


@extend_schema(operation_id="annex_iv_issue", request=None, responses={201: ReportSerializer})
@api_view(["POST"])
@permission_classes([HasRole])
def annex_iv_issue(request: Request, slug: str, version: str) -> Response:
    """Issue the version's Annex IV technical documentation as the records stand now."""
    target = version_or_404(slug, version)
    report = services.annex_iv_issue(actor=acting_user(request), version=target)
    return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(
    operation_id="annex_iv_pdf",
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([HasRole])
def annex_iv_pdf(request: Request, slug: str, version: str) -> FileResponse:
    """The newest Annex IV documentation issued for the version (404 until one is)."""
    target = version_or_404(slug, version)
    newest = Report.objects.filter(kind=ReportKind.ANNEX_IV, version=target).first()
    if newest is None:
        raise NotFound(
            f"no Annex IV documentation issued for this version yet: POST "
            f"/api/models/{slug}/versions/{version}/annex-iv/ to issue one"
        )
    return pdf_response(newest)

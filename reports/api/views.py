"""The reports API: model cards (PDF, CycloneDX), the compliance report (PDF, CSV), the
evidence bundle and PDF verification. Views parse input, call one service and shape the
output; who may call what is in reports.permissions."""

from typing import TypeVar

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from governance.api.permissions import HasRole, acting_user
from governance.api.review import version_or_404
from governance.errors import InvalidInput, NotFound
from reports import compliance, content, cyclonedx, services
from reports.api.serializers import (
    Queued,
    ReportSerializer,
    VerificationSerializer,
    VerifyUploadSerializer,
)
from reports.bundle import evidence_bundle
from reports.models import Report, ReportKind
from reports.permissions import require_issue_card, require_read_portfolio
from reports.tasks import model_card_generate
from reports.verification import pdf_check

R = TypeVar("R", bound=HttpResponse)


def pdf_response(report: Report) -> FileResponse:
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=(report.file.name or "").rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["X-Warden-Record"] = report.record
    response["X-Warden-SHA256"] = report.sha256
    return response


def _attachment(response: R, name: str) -> R:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@extend_schema(
    operation_id="model_card_pdf",
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([HasRole])
def model_card_pdf(request: Request, slug: str, version: str) -> FileResponse:
    """The version's current signed model card: the newest that states it as it is now. A read
    never issues or signs: with no current card it is 404, saying how to ask for one."""
    target = version_or_404(slug, version)
    current = services.model_card_current(target)
    if current is None:
        ask = reverse("model-cards", kwargs={"slug": slug, "version": version})
        raise NotFound(
            "no model card states this version as it is yet: one is issued when the version is "
            f"approved, or ask for one with POST {ask}"
        )
    return pdf_response(current)


@extend_schema(methods=["GET"], responses=ReportSerializer(many=True))
@extend_schema(methods=["POST"], request=None, responses={200: ReportSerializer, 202: Queued})
@api_view(["GET", "POST"])
@permission_classes([HasRole])
def model_cards(request: Request, slug: str, version: str) -> Response:
    """GET: the version's issued cards, newest first. POST: ask a worker for a new card (202),
    or 200 with the current card when one already states the version as it is."""
    target = version_or_404(slug, version)
    if request.method == "GET":
        cards = Report.objects.filter(kind=ReportKind.MODEL_CARD, version=target)
        return Response(ReportSerializer(cards.select_related("version__model"), many=True).data)
    require_issue_card(acting_user(request), target.model)
    current = services.model_card_current(target)
    if current is not None:
        return Response(ReportSerializer(current).data)
    model_card_generate.delay(target.pk)
    return Response(
        {"detail": "queued: the card will be issued by a worker", "version": target.version},
        status=status.HTTP_202_ACCEPTED,
    )


@extend_schema(
    operation_id="model_card_cyclonedx",
    responses={(200, "application/json"): OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([HasRole])
def model_card_cyclonedx(request: Request, slug: str, version: str) -> Response:
    """The version's model card as a CycloneDX 1.6 ML-BOM."""
    target = version_or_404(slug, version)
    facts = content.card_facts(target)
    documents = dict(content.audit_documents(target))
    bom = cyclonedx.model_bom(facts, documents.get(facts["shown_audit_id"]))
    return _attachment(Response(bom), f"{target.model.slug}-{target.version}.cdx.json")


@extend_schema(
    operation_id="compliance_pdf", responses={(200, "application/pdf"): OpenApiTypes.BINARY}
)
@api_view(["GET"])
@permission_classes([HasRole])
def compliance_pdf(request: Request) -> FileResponse:
    """A compliance report of the portfolio as it is now, signed and recorded."""
    return pdf_response(services.compliance_report_issue(actor=acting_user(request)))


@extend_schema(operation_id="compliance_csv", responses={(200, "text/csv"): OpenApiTypes.STR})
@api_view(["GET"])
@permission_classes([HasRole])
def compliance_csv(request: Request) -> HttpResponse:
    """The portfolio as CSV, one line per version; formula-like cells neutralised."""
    require_read_portfolio(acting_user(request))
    text = compliance.portfolio_csv(compliance.portfolio())
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    return _attachment(response, f"warden-portfolio-{timezone.now():%Y%m%dT%H%M%SZ}.csv")


@extend_schema(
    operation_id="evidence_zip", responses={(200, "application/zip"): OpenApiTypes.BINARY}
)
@api_view(["GET"])
@permission_classes([HasRole])
def evidence_zip(request: Request) -> FileResponse:
    """The evidence bundle: every card, result document, approval, incident, the trail and a
    manifest of sha256s."""
    bundle = evidence_bundle(actor=acting_user(request))
    name = f"warden-evidence-{timezone.now():%Y%m%dT%H%M%SZ}.zip"
    return FileResponse(bundle, as_attachment=True, filename=name, content_type="application/zip")


@extend_schema(
    request={"multipart/form-data": VerifyUploadSerializer},
    responses={200: VerificationSerializer},
)
@api_view(["POST"])
@permission_classes([HasRole])
@parser_classes([MultiPartParser])
def verify(request: Request) -> Response:
    """Upload a PDF (multipart field `file`): whether it is intact, who signed it, which record
    it is and whether it is the file on record. Any file gets an answer; only a missing, empty
    or oversized upload is refused (400)."""
    form = VerifyUploadSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    upload = form.validated_data["file"]
    limit = settings.WARDEN_MAX_VERIFY_BYTES
    if upload.size > limit:
        raise InvalidInput(f"larger than the {limit // (1024 * 1024)} MiB limit", field="file")
    return Response(pdf_check(upload.read()))

"""The regulation coverage of a model, or of one of its versions: every control of the
frameworks its regimes choose, satisfied, partial or missing, with links to the evidence; on
a version's, its Annex IV technical documentation is issued and downloaded."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from governance.errors import ServiceError
from governance.models import MLModel
from governance.page_plumbing import AuthedRequest, reader_required, version_of
from reports import services
from reports.crosswalk.coverage import coverage_of
from reports.models import Report, ReportKind
from reports.permissions import user_can_issue_card


@reader_required
def model_coverage(request: AuthedRequest, slug: str) -> HttpResponse:
    """The model's coverage, judged on its newest version."""
    model = get_object_or_404(MLModel.objects.select_related("owner", "team"), slug=slug)
    return render(request, "reports/pages/coverage.html", {"coverage": coverage_of(model)})


@reader_required
def version_coverage(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """One version's coverage; a POST issues its Annex IV documentation as it stands now."""
    target = version_of(slug, version)
    if request.method == "POST":
        try:
            report = services.annex_iv_issue(actor=request.user, version=target)
            messages.success(request, f"Annex IV documentation issued as {report.record}.")
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("version-coverage", slug=slug, version=version)
    context = {
        "coverage": coverage_of(target.model, target),
        "pinned": True,
        "annex_iv": Report.objects.filter(kind=ReportKind.ANNEX_IV, version=target).first(),
        "can_issue": user_can_issue_card(request.user, target.model),
    }
    return render(request, "reports/pages/coverage.html", context)

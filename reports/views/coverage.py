"""The regulation coverage of a model, or of one of its versions: every control of the
frameworks its regimes choose, satisfied, partial or missing, with links to the evidence."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from governance.models import MLModel
from governance.page_plumbing import AuthedRequest, reader_required, version_of
from reports.crosswalk.coverage import coverage_of


@reader_required
def model_coverage(request: AuthedRequest, slug: str) -> HttpResponse:
    """The model's coverage, judged on its newest version."""
    model = get_object_or_404(MLModel.objects.select_related("owner", "team"), slug=slug)
    return render(request, "reports/pages/coverage.html", {"coverage": coverage_of(model)})


@reader_required
def version_coverage(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """One version's coverage."""
    target = version_of(slug, version)
    coverage = coverage_of(target.model, target)
    return render(request, "reports/pages/coverage.html", {"coverage": coverage, "pinned": True})

"""An audit run's page: a live progress bar while it runs, then its results drawn with the
model card's sections and charts."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from audits.models import AuditRun
from governance.page_plumbing import AuthedRequest, reader_required
from reports.content import audit_sections


@reader_required
def audit_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """One audit run: a live progress bar while it runs, the results with charts once done."""
    run = get_object_or_404(
        AuditRun.objects.select_related(
            "version__model", "evaluation_set", "reference_set", "requested_by"
        ),
        pk=pk,
    )
    context = {
        "run": run,
        "version": run.version,
        "running": not run.is_finished,
        "sections": audit_sections(run.result),
    }
    return render(request, "reports/pages/audit.html", context)

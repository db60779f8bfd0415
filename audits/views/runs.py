"""Starting an audit of a version on one of its evaluation sets, and an LLM audit's transcripts;
the run's page, which draws the results, is reports.views.runs.audit_page."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from audits.errors import UploadRejected
from audits.forms import AuditRequestForm
from audits.models import AuditRun
from audits.selectors import run_transcripts
from audits.services import runs
from governance.errors import NotFound, ServiceError
from governance.page_plumbing import AuthedRequest, posted, reader_required, refuse, version_of


@reader_required
def audit_new(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """Queue an audit of the version on one of its evaluation sets, then watch it run."""
    target = version_of(slug, version)
    form = AuditRequestForm(posted(request), version=target)
    if request.method == "POST" and form.is_valid():
        try:
            run = runs.audit_run_request(
                actor=request.user,
                version=target,
                evaluation_set=form.cleaned_data["evaluation_set"],
                reference_set=form.cleaned_data["reference_set"],
                training_set=form.cleaned_data["training_set"],
                with_model=form.cleaned_data["with_model"],
            )
        except UploadRejected as error:
            for problem in error.problems:
                form.add_error("with_model", str(problem))
        except ServiceError as error:
            refuse(form, error)
        else:
            return redirect("audit-page", pk=run.pk)
    return render(request, "audits/audit_new.html", {"form": form, "version": target})


@reader_required
def audit_transcripts(request: AuthedRequest, pk: int) -> HttpResponse:
    """The transcripts an LLM audit scored, 50 a page: harmful prompts masked, every reply
    shown as the untrusted text it is (escaped, never marked safe)."""
    run = get_object_or_404(AuditRun.objects.select_related("version__model", "evaluation_set"),
                            pk=pk)  # fmt: skip
    try:
        records = run_transcripts(run)
    except NotFound as error:
        raise Http404(error.message) from None
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request, "audits/transcripts.html", {"run": run, "version": run.version, "page": page}
    )

"""The auditor's documents page: the portfolio downloads, the portfolio jobs (a report or a
bundle of a scope, built by a worker), and a form that checks any PDF."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance.errors import Forbidden, ServiceError
from governance.models import Team
from governance.page_plumbing import AuthedRequest, posted, reader_required, refuse, uploaded
from reports import jobs, selectors
from reports.models import JobKind
from reports.permissions import user_can_read_portfolio
from reports.scope import TIERS
from reports.verification import pdf_check

RECENT_JOBS = 10


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="PDF file",
        allow_empty_file=False,
        help_text="A model card or a compliance report, as downloaded or as received.",
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        limit = settings.WARDEN_MAX_VERIFY_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"larger than the {limit // (1024 * 1024)} MiB limit")
        return upload


class JobForm(forms.Form):
    kind = forms.ChoiceField(choices=JobKind.choices)
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, to_field_name="slug", empty_label="every team"
    )
    tier = forms.TypedChoiceField(
        choices=[("", "every tier"), *((t, f"Tier {t}") for t in TIERS)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    period_from = forms.DateTimeField(
        required=False, help_text="Versions registered at or after (UTC), e.g. 2026-01-01"
    )
    period_until = forms.DateTimeField(required=False, help_text="Versions registered before")


@reader_required
@require_POST
def report_job_request(request: AuthedRequest) -> HttpResponse:
    """Queue a portfolio job from the page; back to the page, where its progress shows."""
    form = JobForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.report_job_request(
                actor=request.user, **{**data, "team": data["team"].slug if data["team"] else None}
            )
        except Forbidden as error:  # the form is not shown to those it refuses
            raise PermissionDenied(error.message) from None
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"{job} is queued: a worker builds it.")
            return redirect(reverse("documents") + "#jobs")
    return _page(request, VerifyForm(), form, None)


@reader_required
def documents(request: AuthedRequest) -> HttpResponse:
    """The auditor's downloads (the compliance report as PDF and CSV, the evidence bundle; shown
    only to those who may read them) and a form that says whether any PDF is ours, intact, and
    which record it is."""
    form = VerifyForm(posted(request), uploaded(request))
    answer = None
    if request.method == "POST" and form.is_valid():
        answer = pdf_check(form.cleaned_data["file"].read())
    return _page(request, form, JobForm(), answer)


def _page(
    request: AuthedRequest, form: VerifyForm, job_form: JobForm, answer: dict | None
) -> HttpResponse:
    can_read = user_can_read_portfolio(request.user)
    context = {
        "nav": "documents",
        "form": form,
        "job_form": job_form,
        "jobs": selectors.report_job_list()[:RECENT_JOBS] if can_read else [],
        "answer": answer,
        "can_read_portfolio": can_read,
    }
    return render(request, "reports/pages/documents.html", context)

"""The auditor's documents page: the portfolio downloads, and a form that checks any PDF."""

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from governance.page_plumbing import AuthedRequest, posted, reader_required, uploaded
from reports.permissions import user_can_read_portfolio
from reports.verification import pdf_check


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


@reader_required
def documents(request: AuthedRequest) -> HttpResponse:
    """The auditor's downloads (the compliance report as PDF and CSV, the evidence bundle; shown
    only to those who may read them) and a form that says whether any PDF is ours, intact, and
    which record it is."""
    form = VerifyForm(posted(request), uploaded(request))
    answer = None
    if request.method == "POST" and form.is_valid():
        answer = pdf_check(form.cleaned_data["file"].read())
    context = {
        "nav": "documents",
        "form": form,
        "answer": answer,
        "can_read_portfolio": user_can_read_portfolio(request.user),
    }
    return render(request, "reports/pages/documents.html", context)

"""The findings pages: the register with its filters, raising a finding on a version, and a
finding with its remediations and the forms to answer and validate it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from governance import finding_forms as f
from governance import findings, selectors
from governance.errors import ServiceError
from governance.page_plumbing import (
    AuthedRequest,
    posted,
    reader_required,
    refuse,
    uploaded,
    version_of,
)
from governance.permissions import can_remediate_finding, can_validate_finding


@reader_required
def finding_list(request: AuthedRequest) -> HttpResponse:
    """The findings register, soonest due first; filters by status, severity, model, overdue."""
    filters = f.FindingFilterForm(request.GET or {"status": "open"})
    rows = selectors.finding_list(status="open")
    if filters.is_valid():
        rows = selectors.finding_list(**filters.cleaned_data)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"nav": "findings", "filters": filters, "page": page, "today": timezone.localdate()}
    return render(request, "governance/finding_list.html", context)


@reader_required
def finding_new(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """A risk officer raises a finding on this version, or on its model."""
    target = version_of(slug, version)
    form = f.FindingRaiseForm(posted(request), initial={"owner": target.model.owner_id})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        whole_model = data.pop("whole_model")
        try:
            finding = findings.finding_raise(
                actor=request.user,
                model=target.model,
                version=None if whole_model else target,
                **{**data, "basis_reference": data["basis_reference"] or ""},
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Finding #{finding.pk} is raised.")
            return redirect("finding-page", pk=finding.pk)
    context = {"nav": "findings", "form": form, "version": target}
    return render(request, "governance/finding_new.html", context)


@reader_required
def finding_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """A finding, what it rests on, its remediations; the owner's form to answer it and the
    validator's forms to close or reopen it (each shown only to whom its rule allows)."""
    finding = get_object_or_404(selectors.finding_list(), pk=pk)
    chosen = request.POST.get("form") if request.method == "POST" else None
    remedy = f.RemediationForm(
        posted(request) if chosen == "remedy" else None,
        uploaded(request) if chosen == "remedy" else None,
        prefix="remedy",
    )
    close = f.CloseForm(posted(request) if chosen == "close" else None, prefix="close")
    reopen = f.ReopenForm(posted(request) if chosen == "reopen" else None, prefix="reopen")
    actions = {
        remedy: lambda data: findings.finding_remediate(
            actor=request.user, finding=finding, **data
        ),
        close: lambda data: findings.finding_close(actor=request.user, finding=finding, **data),
        reopen: lambda data: findings.finding_reopen(actor=request.user, finding=finding, **data),
    }
    for form, act in actions.items():
        if form.is_bound and form.is_valid():
            try:
                act(form.cleaned_data)
            except ServiceError as error:
                refuse(form, error)
            else:
                messages.success(request, f"Finding #{finding.pk} is updated.")
                return redirect("finding-page", pk=finding.pk)
    context = {
        "nav": "findings",
        "finding": finding,
        "remedy": remedy,
        "close": close,
        "reopen": reopen,
        "can_remediate": can_remediate_finding(request.user, finding),
        "can_validate": can_validate_finding(request.user, finding),
        "today": timezone.localdate(),
    }
    return render(request, "governance/finding_page.html", context)

"""The incident pages: the register, reporting one, and an incident with its deadline, its
updates and the reports made to an authority."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from governance import forms as f
from governance import incidents, selectors
from governance.errors import ServiceError
from governance.page_plumbing import AuthedRequest, posted, reader_required, refuse
from governance.roles import Role


@reader_required
def incident_list(request: AuthedRequest) -> HttpResponse:
    """The incident register, open ones by nearest reporting deadline."""
    show = request.GET.get("show", "open")
    rows = selectors.incident_list(open_only=show != "all")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"nav": "incidents", "page": page, "show": show, "now": timezone.now()}
    return render(request, "governance/incident_list.html", context)


@reader_required
def incident_new(request: AuthedRequest) -> HttpResponse:
    """Report an incident; a critical one suspends the affected live versions at once."""
    initial = {"versions": request.GET.getlist("version")}
    form = f.IncidentReportForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incidents.incident_report(
                actor=request.user, **{**data, "versions": list(data["versions"])}
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Incident #{incident.pk} is reported.")
            return redirect("incident-page", pk=incident.pk)
    return render(request, "governance/incident_new.html", {"form": form, "nav": "incidents"})


@reader_required
def incident_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """An incident, its deadline and reports; forms to update it and to record a report made
    to an authority."""
    incident = get_object_or_404(selectors.incident_list(), pk=pk)
    update = f.IncidentUpdateForm(
        request.POST if request.POST.get("form") == "update" else None,
        initial={
            "status": incident.status,
            "corrective_actions": incident.corrective_actions,
            "owner": incident.owner_id,
        },
        prefix="update",
    )
    report = f.AuthorityReportForm(
        request.POST if request.POST.get("form") == "report" else None, prefix="report"
    )
    waiver = f.NotReportableForm(
        request.POST if request.POST.get("form") == "waiver" else None, prefix="waiver"
    )
    try:
        if update.is_bound and update.is_valid():
            incidents.incident_update(
                actor=request.user, incident=incident, changes=dict(update.cleaned_data)
            )
            messages.success(request, f"Incident #{incident.pk} is updated.")
            return redirect("incident-page", pk=incident.pk)
        if report.is_bound and report.is_valid():
            incidents.authority_report_record(
                actor=request.user, incident=incident, **report.cleaned_data
            )
            messages.success(request, "The report to the authority is recorded.")
            return redirect("incident-page", pk=incident.pk)
        if waiver.is_bound and waiver.is_valid():
            incidents.incident_not_reportable_sign(
                actor=request.user, incident=incident, **waiver.cleaned_data
            )
            messages.success(request, "Signed: the incident is not reportable.")
            return redirect("incident-page", pk=incident.pk)
    except ServiceError as error:
        refuse(next(form for form in (update, report, waiver) if form.is_bound), error)
    context = {
        "nav": "incidents",
        "incident": incident,
        "update": update,
        "report": report,
        "waiver": waiver,
        "now": timezone.now(),
        "can_update": request.user.has_role(Role.RISK_OFFICER)
        or request.user.pk == incident.reported_by_id,
        "can_report": request.user.has_role(Role.RISK_OFFICER),
    }
    return render(request, "governance/incident_page.html", context)

"""The registry's web pages: role homes, the inventory, registering models and versions, the
review actions with their e-signature, incidents and the trail. Views parse a form, call one
service and redirect; a service's refusal becomes an error on the field it names."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from governance import decisions, incidents, lifecycle, selectors, services
from governance import forms as f
from governance.errors import ServiceError
from governance.models import MLModel, ModelVersion, User
from governance.permissions import read_refusal, user_can_change_team_models
from governance.roles import Role
from governance.trail import trail_verify


def viewer_roles(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the viewer's roles (one query), for the navigation and the pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": {}}
    names = (
        set(Role.values) if user.is_superuser else set(user.groups.values_list("name", flat=True))
    )
    roles: dict[str, Any] = {role: role in names for role in Role.values}
    labels = [Role(role).label for role in Role.values if role in names]
    roles["label"] = ", ".join(labels) or "no role"
    return {"roles": roles}


class AuthedRequest(HttpRequest):
    """A request behind `reader_required`: its user is logged in."""

    user: User  # type: ignore[assignment]


def reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and in a role that reads the registry (a gate account reads nothing)."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = read_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        return view(request, *args, **kwargs)

    return wrapped


def refuse(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def uploaded(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def version_of(slug: str, number: str) -> ModelVersion:
    return get_object_or_404(
        ModelVersion.objects.select_related("model__team", "model__owner"),
        model__slug=slug,
        version=number,
    )


def to_version(version: ModelVersion) -> HttpResponse:
    return redirect("version-page", slug=version.model.slug, version=version.version)


@reader_required
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's own home page."""
    user = request.user
    if user.has_role(Role.RISK_OFFICER) and not user.is_superuser:
        return redirect("review-queue")
    if user.has_role(Role.ENGINEER) and not user.is_superuser:
        return redirect("engineer-home")
    return redirect("inventory")


@reader_required
def engineer_home(request: AuthedRequest) -> HttpResponse:
    """My team's models and their versions, and the incidents still open on them."""
    models = list(selectors.versions_of_team(request.user))
    open_incidents = (
        selectors.incident_list(open_only=True)
        .filter(versions__model__team_id=request.user.team_id or 0)
        .distinct()
    )
    drafts = sum(1 for m in models for v in m.versions.all() if v.status == "draft")
    context = {
        "nav": "mine",
        "models": models,
        "incidents": open_incidents,
        "drafts": drafts,
        "team": request.user.team,
    }
    return render(request, "governance/engineer_home.html", context)


@reader_required
def review_queue(request: AuthedRequest) -> HttpResponse:
    """The risk officer's home: versions awaiting a decision, open incidents with their
    deadlines, and approvals that lapse soon."""
    queue = [
        (version, decisions.approvals_required(decisions.decision_tier(version)))
        for version in selectors.review_queue()
    ]
    context = {
        "nav": "review",
        "queue": queue,
        "incidents": selectors.incident_list(open_only=True),
        "revalidations": lifecycle.revalidations(),
        "now": timezone.now(),
    }
    return render(request, "governance/review_queue.html", context)


@reader_required
def inventory(request: AuthedRequest) -> HttpResponse:
    """Every model, filtered by team, tier and version status; the auditor's home."""
    filters = f.InventoryFilterForm(request.GET or None)
    models = selectors.mlmodel_list()
    if filters.is_valid():
        data = filters.cleaned_data
        models = selectors.mlmodel_list(team=data["team"], tier=data["tier"], status=data["status"])
    page = Paginator(models, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/inventory.html",
        {"nav": "inventory", "filters": filters, "page": page, "models": page.object_list},
    )


@reader_required
def model_new(request: AuthedRequest) -> HttpResponse:
    """Register a model and answer its risk questionnaire, in one transaction."""
    form = f.MLModelRegisterForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                model = services.mlmodel_register(
                    actor=request.user,
                    team=form.cleaned_data["team"],
                    owner=request.user,
                    **form.model_fields(),
                )
                assessment = services.risk_assessment_record(
                    actor=request.user, model=model, answers=form.answers()
                )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"{model.name} is registered: tier {assessment.tier}.")
            return redirect("model-page", slug=model.slug)
    return render(request, "governance/model_new.html", {"form": form, "nav": "mine"})


@reader_required
def model_page(request: AuthedRequest, slug: str) -> HttpResponse:
    """A model: what it is for, its risk assessment and its versions."""
    model = get_object_or_404(
        MLModel.objects.select_related("owner", "team", "risk_assessment__assessed_by"),
        slug=slug,
    )
    context = {
        "model": model,
        "versions": model.versions.select_related("created_by").order_by("-created_at", "-id"),
        "dependencies": model.depends_on.all(),
        "can_change": user_can_change_team_models(request.user, model.team),
        "can_assess": request.user.has_role(Role.RISK_OFFICER)
        or user_can_change_team_models(request.user, model.team),
    }
    return render(request, "governance/model_page.html", context)


@reader_required
def model_assess(request: AuthedRequest, slug: str) -> HttpResponse:
    """File a new risk questionnaire (a risk officer also sees the override form)."""
    model = get_object_or_404(MLModel.objects.select_related("team"), slug=slug)
    form = f.QuestionnaireForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.risk_assessment_record(
                actor=request.user, model=model, answers=form.answers()
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Assessed: tier {assessment.tier}.")
            return redirect("model-page", slug=model.slug)
    return _assess_page(request, model, form=form, override_form=f.TierOverrideForm())


@reader_required
def model_override(request: AuthedRequest, slug: str) -> HttpResponse:
    """A risk officer overrides the computed tier with a reason."""
    model = get_object_or_404(MLModel.objects.select_related("team"), slug=slug)
    form = f.TierOverrideForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.risk_tier_override(
                actor=request.user, model=model, **form.cleaned_data
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Overridden: tier {assessment.tier}.")
            return redirect("model-page", slug=model.slug)
    return _assess_page(request, model, form=f.QuestionnaireForm(), override_form=form)


def _assess_page(
    request: AuthedRequest, model: MLModel, *, form: forms.Form, override_form: forms.Form
) -> HttpResponse:
    context = {"form": form, "model": model}
    if request.user.has_role(Role.RISK_OFFICER):
        context["override_form"] = override_form
    return render(request, "governance/model_assess.html", context)


@reader_required
def version_new(request: AuthedRequest, slug: str) -> HttpResponse:
    """Upload a new draft version with its artifact."""
    model = get_object_or_404(MLModel.objects.select_related("team"), slug=slug)
    form = f.VersionCreateForm(posted(request), uploaded(request))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_create(actor=request.user, model=model, **form.cleaned_data)
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Version {version.version} is uploaded as a draft.")
            return to_version(version)
    return render(request, "governance/version_new.html", {"form": form, "model": model})


# action -> (form, service call, title, what it does, button, button style)
ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Any], str, str, str, str]] = {
    "submit": (
        f.EmptyForm,
        lambda user, version, data: lifecycle.version_submit(actor=user, version=version),
        "Submit for review",
        "Sends the version to the risk officers with its latest completed audit. A submitted "
        "version can no longer change.",
        "Submit for review",
        "",
    ),
    "reopen": (
        f.EmptyForm,
        lambda user, version, data: lifecycle.version_reopen(actor=user, version=version),
        "Reopen as a draft",
        "Takes the version back to draft so the team can address the requested changes.",
        "Reopen",
        "secondary",
    ),
    "suspend": (
        f.ReasonForm,
        lambda user, version, data: lifecycle.version_suspend(
            actor=user, version=version, reason=data["reason"]
        ),
        "Suspend",
        "Stops a live version at once: the deployment gate refuses it until it is re-approved.",
        "Suspend",
        "danger",
    ),
    "retire": (
        f.ReasonForm,
        lambda user, version, data: lifecycle.version_retire(
            actor=user, version=version, reason=data["reason"]
        ),
        "Retire",
        "Takes the version out of use for good.",
        "Retire",
        "danger",
    ),
}


@reader_required
def version_action(request: AuthedRequest, slug: str, version: str, action: str) -> HttpResponse:
    """One lifecycle move (submit, reopen, suspend, retire): a page of its own, whose form the
    version page also embeds; a refusal is shown on this page with the form."""
    if action not in ACTIONS:
        from django.http import Http404

        raise Http404("no such action")
    target = version_of(slug, version)
    form_class, call, title, description, button, style = ACTIONS[action]
    form = form_class(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            moved = call(request.user, target, form.cleaned_data)
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"{moved}: {moved.get_status_display().lower()}.")
            return to_version(moved)
    context = {
        "form": form,
        "version": target,
        "title": title,
        "description": description,
        "button": button,
        "style": style,
    }
    return render(request, "governance/version_action.html", context)


@reader_required
def version_decide(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """A risk officer's decision, signed with the password and a declared meaning."""
    target = version_of(slug, version)
    form = f.DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            approval = decisions.decision_record(
                actor=request.user, version=target, **form.cleaned_data
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Signed: {approval.manifestation}.")
            return to_version(target)
    context = {"form": form, "version": target, "signer": request.user}
    return render(request, "governance/version_decide.html", context)


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


@reader_required
def trail(request: AuthedRequest) -> HttpResponse:
    """The trail: verify the hash chain on request, and page through the events."""
    verdict = trail_verify() if request.GET.get("verify") else None
    page = Paginator(selectors.event_list(), 50).get_page(request.GET.get("page"))
    return render(
        request, "governance/trail.html", {"nav": "trail", "verdict": verdict, "page": page}
    )

"""The pages that change a version: uploading a new draft, each lifecycle move (submit, reopen,
suspend, retire) and a risk officer's signed decision. The version page itself shows audits
and charts too, so it is in reports.views."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from governance import decisions, lifecycle, services
from governance import forms as f
from governance.errors import ServiceError
from governance.models import MLModel
from governance.page_plumbing import (
    AuthedRequest,
    posted,
    reader_required,
    refuse,
    to_version,
    uploaded,
    version_of,
)
from governance.views.sso import signing_form_fit, signing_reauthentication


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
    form = f.DecisionForm(posted(request), version=target)
    sso = signing_form_fit(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            approval = decisions.decision_record(
                actor=request.user,
                version=target,
                **form.cleaned_data,
                reauthentication=signing_reauthentication(request),
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Signed: {approval.manifestation}.")
            return to_version(target)
    context = {"form": form, "version": target, "signer": request.user, **sso}
    return render(request, "governance/version_decide.html", context)

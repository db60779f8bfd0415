"""The pages of a model: registering it with its risk questionnaire, filing a new assessment
or a risk officer's tier override, and the owner's periodic attestation (the model page itself
composes every app and lives in reports.views.mlmodels)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from governance import attestations, finding_forms, services
from governance import forms as f
from governance.attestations import DEFAULT_STATEMENT
from governance.errors import ServiceError
from governance.models import MLModel
from governance.page_plumbing import AuthedRequest, posted, reader_required, refuse
from governance.roles import Role
from governance.views.sso import signing_form_fit, signing_reauthentication


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
def model_attest(request: AuthedRequest, slug: str) -> HttpResponse:
    """The owner signs the periodic attestation, password re-entered."""
    model = get_object_or_404(MLModel.objects.select_related("owner"), slug=slug)
    form = finding_forms.AttestationForm(posted(request), initial={"statement": DEFAULT_STATEMENT})
    sso = signing_form_fit(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            signed = attestations.attestation_sign(
                actor=request.user,
                model=model,
                **form.cleaned_data,
                reauthentication=signing_reauthentication(request),
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Signed: {signed.manifestation}.")
            return redirect("model-page", slug=model.slug)
    context = {"form": form, "model": model, "signer": request.user, **sso}
    return render(request, "governance/model_attest.html", context)


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

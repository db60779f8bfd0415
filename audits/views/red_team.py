"""The red-team pages: start a campaign on a version, a campaign with its attempts (texts
escaped, harmful ones masked unless the reader may read them whole) and the form to log one,
and the actions on an attempt: re-try, promote, withdraw, report as an incident, raise a
finding."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audits.red_team import attempt_texts
from audits.red_team_forms import AttemptForm, AttemptIncidentForm, CampaignForm, ReproductionForm
from governance import red_team, red_team_findings, selectors
from governance.errors import ServiceError
from governance.finding_forms import FindingFactsForm
from governance.forms import ReasonForm
from governance.models import RedTeamAttempt, RedTeamCampaign
from governance.page_plumbing import AuthedRequest, posted, reader_required, refuse, version_of
from governance.permissions import (
    can_log_attempt,
    can_raise_finding,
    can_read_attacks_in_full,
    can_red_team,
    can_withdraw_attempt,
)


@reader_required
def campaign_new(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """Start a red-team campaign on the version, with its members."""
    target = version_of(slug, version)
    form = CampaignForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = red_team.red_team_campaign_start(
                actor=request.user, version=target, **form.cleaned_data
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            return redirect("red-team-campaign-page", pk=campaign.pk)
    return render(request, "audits/red_team_new.html", {"form": form, "version": target})


def _campaign(pk: int) -> RedTeamCampaign:
    return get_object_or_404(selectors.red_team_campaign_list(), pk=pk)


@reader_required
def campaign_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """A campaign, its attempts as this reader may see them, and the form to log one."""
    campaign = _campaign(pk)
    user, version = request.user, campaign.version
    form = AttemptForm(posted(request))
    may_log = can_log_attempt(user, campaign) and campaign.is_open
    if request.method == "POST" and form.is_valid():
        try:
            red_team.red_team_attempt_log(actor=user, campaign=campaign, **form.cleaned_data)
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, "The attempt is logged.")
            return redirect("red-team-campaign-page", pk=campaign.pk)
    full = can_read_attacks_in_full(user, campaign)
    attempts = [
        {
            "attempt": a,
            "texts": attempt_texts(a, full=full),
            "withdraw": can_withdraw_attempt(user, a),
        }
        for a in selectors.red_team_attempt_list(campaign)
    ]
    context = {
        "campaign": campaign,
        "version": version,
        "attempts": attempts,
        "form": form,
        "may_log": may_log,
        "may_red_team": can_red_team(user, version),
        "may_raise_finding": can_raise_finding(user),
        "reproduction_form": ReproductionForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "audits/red_team_campaign.html", context)


def _attempt(pk: int) -> RedTeamAttempt:
    return get_object_or_404(
        RedTeamAttempt.objects.select_related("campaign__version__model"), pk=pk
    )


def _back(
    request: AuthedRequest, attempt: RedTeamAttempt, done: str, act: Callable[[], object]
) -> HttpResponse:
    """Run one service on the attempt, say what happened, and return to its campaign."""
    try:
        act()
    except ServiceError as error:
        messages.error(request, f"Attempt #{attempt.pk}: {error.message}")
    else:
        messages.success(request, f"Attempt #{attempt.pk}: {done}")
    return redirect("red-team-campaign-page", pk=attempt.campaign_id)


@require_POST
@reader_required
def campaign_end(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    try:
        red_team.red_team_campaign_end(actor=request.user, campaign=campaign)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("red-team-campaign-page", pk=campaign.pk)


@require_POST
@reader_required
def attempt_promote(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add the attempt to the version's probe set."""
    attempt = _attempt(pk)
    return _back(
        request,
        attempt,
        "every later LLM audit re-tries it.",
        lambda: red_team.red_team_attempt_promote(actor=request.user, attempt=attempt),
    )


@require_POST
@reader_required
def attempt_reproduce(request: AuthedRequest, pk: int) -> HttpResponse:
    attempt = _attempt(pk)
    form = ReproductionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Attempt #{attempt.pk}: say whether it worked again.")
        return redirect("red-team-campaign-page", pk=attempt.campaign_id)
    return _back(
        request,
        attempt,
        "the re-try is recorded.",
        lambda: red_team.red_team_attempt_reproduce(
            actor=request.user, attempt=attempt, **form.cleaned_data
        ),
    )


@require_POST
@reader_required
def attempt_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    attempt = _attempt(pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _back(
        request,
        attempt,
        "withdrawn.",
        lambda: red_team.red_team_attempt_withdraw(
            actor=request.user, attempt=attempt, reason=reason
        ),
    )


@reader_required
def attempt_incident(request: AuthedRequest, pk: int) -> HttpResponse:
    """Report a successful attempt as an incident of its version."""
    attempt = _attempt(pk)
    initial = {"severity": attempt.severity, "title": f"Red-team: {attempt.get_category_display()}"}
    form = AttemptIncidentForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incident = red_team.red_team_incident_report(
                actor=request.user, attempt=attempt, **form.cleaned_data
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Incident #{incident.pk} is reported.")
            return redirect("incident-page", pk=incident.pk)
    return render(request, "audits/red_team_incident.html", {"form": form, "attempt": attempt})


@reader_required
def attempt_finding(request: AuthedRequest, pk: int) -> HttpResponse:
    """Raise a validation finding resting on a successful attempt, prefilled from it."""
    attempt = _attempt(pk)
    initial = {
        **red_team_findings.attempt_finding_defaults(attempt),
        "owner": attempt.campaign.version.model.owner_id,
    }
    form = FindingFactsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            finding = red_team_findings.finding_raise_from_attempt(
                actor=request.user, attempt=attempt, **form.cleaned_data
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Finding #{finding.pk} is raised.")
            return redirect("finding-page", pk=finding.pk)
    return render(request, "audits/red_team_finding.html", {"form": form, "attempt": attempt})

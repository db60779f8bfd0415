"""Each role's home page: the engineer's team, the risk officer's review queue, and the
inventory that is the auditor's home."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from governance import attestations, decisions, lifecycle, selectors
from governance.inventory_forms import InventoryFilterForm
from governance.page_plumbing import AuthedRequest, reader_required
from governance.roles import Role
from governance.search import inventory_filter


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


# The risk officer's home reads a page of its queue and the first of each list, with the
# totals: on a portfolio of thousands of models a whole queue or list would be a page of seconds.
QUEUE_PAGE = 50
HOME_LIST = 50


@reader_required
def review_queue(request: AuthedRequest) -> HttpResponse:
    """The risk officer's home: versions awaiting a decision (a page at a time), open incidents
    with their deadlines, approvals that lapse soon, overdue findings and attestations (the
    first HOME_LIST of each, soonest first, with how many there are)."""
    page = Paginator(selectors.review_queue(), QUEUE_PAGE).get_page(request.GET.get("page"))
    queue = [
        (version, decisions.approvals_required(decisions.decision_tier(version)))
        for version in page
    ]
    incidents = selectors.incident_list(open_only=True)
    findings = selectors.findings_overdue()
    attestations_overdue = attestations.attestations_overdue()
    revalidations = lifecycle.revalidations()
    context = {
        "nav": "review",
        "page": page,
        "queue": queue,
        "incidents": incidents[:HOME_LIST],
        "incident_count": incidents.count(),
        "revalidations": {when: versions[:HOME_LIST] for when, versions in revalidations.items()},
        "revalidation_counts": {when: versions.count() for when, versions in revalidations.items()},
        "findings_overdue": findings[:HOME_LIST],
        "findings_overdue_count": findings.count(),
        "attestations_overdue": attestations_overdue[:HOME_LIST],
        "attestations_overdue_count": len(attestations_overdue),
        "shown": HOME_LIST,
        "now": timezone.now(),
    }
    return render(request, "governance/review_queue.html", context)


@reader_required
def inventory(request: AuthedRequest) -> HttpResponse:
    """Every model, searched and filtered (team, tier, version status, owner, tag, custom
    field, flags such as overdue revalidation); the auditor's home."""
    filters = InventoryFilterForm(request.GET or None)
    models = selectors.mlmodel_list()
    if filters.is_valid():
        data = filters.cleaned_data
        models = selectors.mlmodel_list(team=data["team"], tier=data["tier"], status=data["status"])
        models = inventory_filter(models, filters.query())
    page = Paginator(models, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/inventory.html",
        {"nav": "inventory", "filters": filters, "page": page, "models": page.object_list},
    )

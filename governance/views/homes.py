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


@reader_required
def review_queue(request: AuthedRequest) -> HttpResponse:
    """The risk officer's home: versions awaiting a decision, open incidents with their
    deadlines, approvals that lapse soon, overdue findings and attestations."""
    queue = [
        (version, decisions.approvals_required(decisions.decision_tier(version)))
        for version in selectors.review_queue()
    ]
    context = {
        "nav": "review",
        "queue": queue,
        "incidents": selectors.incident_list(open_only=True),
        "revalidations": lifecycle.revalidations(),
        "findings_overdue": selectors.findings_overdue(),
        "attestations_overdue": attestations.attestations_overdue(),
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

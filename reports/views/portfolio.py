"""The risk officers' portfolio page: models by tier and versions by status (drawn as SVG on
the server), overdue revalidations, failing audits, open incidents and open and overdue
validation findings (reports.compliance)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from governance.page_plumbing import AuthedRequest, reader_required
from reports import charts, compliance
from reports.permissions import user_can_read_portfolio


@reader_required
def portfolio_page(request: AuthedRequest) -> HttpResponse:
    """The portfolio's standing now, for those who read the portfolio documents."""
    if not user_can_read_portfolio(request.user):
        raise PermissionDenied("the portfolio is for auditors, risk officers and admins")
    p = compliance.portfolio()
    tiers = [(f"Tier {tier}" if tier else "Not assessed", n) for tier, n in p["by_tier"]]
    context = {
        "nav": "portfolio",
        "p": p,
        "tiers": tiers,
        "tier_chart": charts.counts_svg(tiers, "Models by risk tier"),
        "status_chart": charts.counts_svg(p["by_status"], "Versions by status"),
    }
    return render(request, "reports/pages/portfolio.html", context)

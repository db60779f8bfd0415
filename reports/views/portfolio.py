"""The risk officers' portfolio page: models by tier and versions by status (drawn as SVG on
the server), overdue revalidations, failing audits, open incidents and open and overdue
validation findings (reports.standing: counts and the first of each list)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from governance.page_plumbing import AuthedRequest, reader_required
from reports import charts
from reports.permissions import user_can_read_portfolio
from reports.standing import portfolio_standing


@reader_required
def portfolio_page(request: AuthedRequest) -> HttpResponse:
    """The portfolio's standing now, for those who read the portfolio documents."""
    if not user_can_read_portfolio(request.user):
        raise PermissionDenied("the portfolio is for auditors, risk officers and admins")
    p = portfolio_standing()
    context = {
        "nav": "portfolio",
        "p": p,
        "tier_chart": charts.counts_svg(p["by_tier"], "Models by risk tier"),
        "status_chart": charts.counts_svg(p["by_status"], "Versions by status"),
    }
    return render(request, "reports/pages/portfolio.html", context)

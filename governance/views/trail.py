"""The trail's page: the events, paged, and the hash chain verified on request."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from governance import selectors
from governance.page_plumbing import AuthedRequest, reader_required
from governance.trail import trail_verify


@reader_required
def trail(request: AuthedRequest) -> HttpResponse:
    """The trail: verify the hash chain on request, and page through the events."""
    verdict = trail_verify() if request.GET.get("verify") else None
    page = Paginator(selectors.event_list(), 50).get_page(request.GET.get("page"))
    return render(
        request, "governance/trail.html", {"nav": "trail", "verdict": verdict, "page": page}
    )

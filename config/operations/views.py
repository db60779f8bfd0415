"""`/healthz` (the process answers), `/readyz` (its dependencies answer) and `/metrics`
(Prometheus). None needs a login: probes and scrapers carry no session; `/metrics` is guarded
by a bearer token, or by loopback when no token is set."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from config.operations.metrics import metrics_exposition
from config.operations.probes import readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: answers without touching any dependency, so a restart is never caused by one."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: every dependency named with its status; 503 when any is down."""
    results = readiness()
    ready = all(result.ok for result in results)
    return JsonResponse(
        {
            "status": "ready" if ready else "unready",
            "checks": {result.name: result.to_json() for result in results},
        },
        status=200 if ready else 503,
    )


def metrics_allowed(request: HttpRequest) -> bool:
    """With WARDEN_METRICS_TOKEN set, only `Authorization: Bearer <token>`; without, only a
    direct loopback caller (no X-Forwarded-For: through a local proxy, anyone could reach it)."""
    token = settings.WARDEN_METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "")
        return hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus exposition; 403 to anyone `metrics_allowed` refuses."""
    if not metrics_allowed(request):
        return HttpResponse(
            "metrics: a bearer token (WARDEN_METRICS_TOKEN) or a loopback caller is required\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)

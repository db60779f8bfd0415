"""Throttling of the expensive writes (uploads are limited per user by the "uploads" rate), and
the client address that throttles and login lockouts count by."""

from types import SimpleNamespace

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

UPLOADS = "uploads"


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind WARDEN_TRUSTED_PROXIES proxies the address
    the outermost of them saw (in X-Forwarded-For). DRF's own reading, so django-axes (via
    AXES_CLIENT_IP_CALLABLE) and the throttles (NUM_PROXIES) always agree on who is asking."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads only META


class UploadThrottleMixin:
    """For viewsets whose `create` takes an upload: throttle creating, never reading."""

    throttle_scope = UPLOADS

    def get_throttles(self) -> list[BaseThrottle]:
        # the viewset sets `action`; this mixin declares no type for it that could disagree
        return [ScopedRateThrottle()] if getattr(self, "action", None) == "create" else []


def upload_wait(request: HttpRequest) -> float | None:
    """For pages that take uploads: None when the user may upload now (the upload is counted),
    else the seconds to wait. The same "uploads" rate and counter as the API's, so the pages
    and the API share one allowance."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=UPLOADS)):  # type: ignore[arg-type]
        return None
    return throttle.wait() or 1.0

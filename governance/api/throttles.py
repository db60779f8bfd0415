"""Throttling of the expensive writes (uploads are limited per user by the "uploads" rate), and
the client address that throttles and login lockouts count by."""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind WARDEN_TRUSTED_PROXIES proxies the address
    the outermost of them saw (in X-Forwarded-For). DRF's own reading, so django-axes (via
    AXES_CLIENT_IP_CALLABLE) and the throttles (NUM_PROXIES) always agree on who is asking."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads only META


class UploadThrottleMixin:
    """For viewsets whose `create` takes an upload: throttle creating, never reading."""

    throttle_scope = "uploads"
    action: str | None

    def get_throttles(self) -> list[BaseThrottle]:
        return [ScopedRateThrottle()] if self.action == "create" else []

"""Throttling of the expensive writes: uploads are limited per user by the "uploads" rate."""

from rest_framework.throttling import BaseThrottle, ScopedRateThrottle


class UploadThrottleMixin:
    """For viewsets whose `create` takes an upload: throttle creating, never reading."""

    throttle_scope = "uploads"
    action: str | None

    def get_throttles(self) -> list[BaseThrottle]:
        return [ScopedRateThrottle()] if self.action == "create" else []

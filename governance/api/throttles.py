"""Throttling of the expensive writes: uploads are limited per user by the "uploads" rate."""

from rest_framework.throttling import BaseThrottle, ScopedRateThrottle


class UploadThrottleMixin:
    """For viewsets whose `create` takes an upload: throttle creating, never reading."""

    throttle_scope = "uploads"

    def get_throttles(self) -> list[BaseThrottle]:
        # the viewset sets `action`; this mixin declares no type for it that could disagree
        return [ScopedRateThrottle()] if getattr(self, "action", None) == "create" else []

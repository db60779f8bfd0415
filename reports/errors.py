"""Refusals of the reports app, answered as 4xx/5xx by governance.api.errors like any other."""

from governance.errors import ServiceError


class SigningUnavailable(ServiceError):
    """The organisation's signing key is misconfigured: nothing can be signed until an admin
    fixes it (503, with the reason)."""

    status_code = 503

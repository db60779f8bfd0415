"""Errors the services raise; the API turns each into a 4xx that names the field and reason."""


class ServiceError(Exception):
    """Base of every refusal a service makes; `field` names the input at fault, if any."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "detail": [self.message]}


class InvalidInput(ServiceError):
    """The input breaks a rule that only the service can check (400)."""


class Forbidden(ServiceError):
    """The actor may not do this (403)."""

    status_code = 403


class NotFound(ServiceError):
    """The record the request names does not exist (404); `field` says which name missed."""

    status_code = 404


class Conflict(ServiceError):
    """The record is in a state that does not allow this (409)."""

    status_code = 409


class StorageFull(ServiceError):
    """The server's disk is full: nothing of the request was kept (507)."""

    status_code = 507


def is_disk_full(error: BaseException) -> bool:
    """True for an OSError (or pyarrow's wrapped one) meaning no space is left on the device."""
    import errno

    return isinstance(error, OSError) and (
        error.errno == errno.ENOSPC or "No space left on device" in str(error)
    )


DISK_FULL_MESSAGE = "the server's disk is full; nothing was kept - try again later"

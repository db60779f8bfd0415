"""One exception handler for the whole API: service refusals and database conflicts become 4xx
responses that name the field and the reason, never a 500."""

from typing import Any

from django.db import IntegrityError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.errors import ServiceError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, IntegrityError):
        # A concurrent request won a uniqueness race that the service had checked for.
        return Response(
            {"detail": ["this conflicts with a record that exists already"]}, status=409
        )
    return drf_exception_handler(exc, context)

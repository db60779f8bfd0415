"""MLflow's registry webhook: a verified delivery starts one sync pass; a refused one is kept and
answered with the 4xx that names the header at fault."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from governance.mlflow_sync import webhook


class RawBody(BaseParser):
    """The body as bytes, untouched: the signature covers exactly what MLflow sent."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        return stream.read(webhook.BODY_MAX_BYTES + 1) if stream else b""


@extend_schema(request=None, responses={202: None})
@api_view(["POST"])
@authentication_classes([])  # the HMAC signature authenticates MLflow
@permission_classes([AllowAny])
@parser_classes([RawBody])
def mlflow_webhook(request: Request) -> Response:
    """Receive one MLflow registry event (model or version created, alias set or deleted)."""
    from governance.tasks import mlflow_registry_sync

    body = request.data if isinstance(request.data, bytes) else b""
    if len(body) > webhook.BODY_MAX_BYTES:
        return Response(
            {"detail": [f"the body is over {webhook.BODY_MAX_BYTES} bytes"]},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    names = (webhook.SIGNATURE_HEADER, webhook.DELIVERY_HEADER, webhook.TIMESTAMP_HEADER)
    headers = {name: request.headers.get(name, "") for name in names}
    verdict = webhook.delivery_verify(headers, body)
    verdict = webhook.delivery_record(headers, body, verdict, request.META.get("REMOTE_ADDR", ""))
    if not verdict.accepted:
        return Response({"detail": [verdict.reason]}, status=verdict.status)
    transaction.on_commit(mlflow_registry_sync.delay)
    return Response({"detail": ["accepted: a registry sync is queued"]}, status=verdict.status)

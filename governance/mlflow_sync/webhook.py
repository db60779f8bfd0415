"""Verifying MLflow's registry webhooks: `X-MLflow-Signature` is `v1,` + base64 of
HMAC-SHA256(secret, f"{delivery_id}.{timestamp}.{body}"), beside `X-MLflow-Delivery-Id` and
`X-MLflow-Timestamp` (Unix seconds). Every delivery, accepted or refused, is kept."""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from governance.models import DeliveryVerdict, MLflowWebhookDelivery

SIGNATURE_HEADER = "X-MLflow-Signature"
DELIVERY_HEADER = "X-MLflow-Delivery-Id"
TIMESTAMP_HEADER = "X-MLflow-Timestamp"
SIGNATURE_VERSION = "v1,"
BODY_MAX_BYTES = 1024 * 1024
DELIVERY_ID_MAX_CHARS = 100


@dataclass(frozen=True)
class Verdict:
    """What a delivery got: the verdict, the HTTP status it is answered with, and why."""

    verdict: str
    status: int
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.verdict == DeliveryVerdict.ACCEPTED


def signature(secret: str, delivery_id: str, timestamp: str, body: bytes) -> str:
    """The `X-MLflow-Signature` value MLflow sends for this delivery."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return SIGNATURE_VERSION + base64.b64encode(digest).decode("ascii")


def delivery_verify(headers: dict[str, str], body: bytes, *, now: float | None = None) -> Verdict:
    """Check the secret is set, the headers are there, the timestamp fresh (within
    WARDEN_MLFLOW_WEBHOOK_MAX_AGE_SECONDS either way) and the signature right, in that order."""
    secret = settings.WARDEN_MLFLOW_WEBHOOK_SECRET
    if not secret:
        return Verdict(DeliveryVerdict.UNCONFIGURED, 403, "WARDEN_MLFLOW_WEBHOOK_SECRET is not set")
    delivery_id = headers.get(DELIVERY_HEADER, "")
    stamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    if not delivery_id or len(delivery_id) > DELIVERY_ID_MAX_CHARS:
        reason = f"{DELIVERY_HEADER}: missing or too long"
        return Verdict(DeliveryVerdict.BAD_SIGNATURE, 400, reason)
    if not stamp.isdigit():
        reason = f"{TIMESTAMP_HEADER}: missing or not Unix seconds"
        return Verdict(DeliveryVerdict.STALE, 400, reason)
    max_age = settings.WARDEN_MLFLOW_WEBHOOK_MAX_AGE_SECONDS
    age = abs((time.time() if now is None else now) - int(stamp))
    if age > max_age:
        return Verdict(
            DeliveryVerdict.STALE,
            400,
            f"{TIMESTAMP_HEADER}: {int(age)} s from now, over "
            f"WARDEN_MLFLOW_WEBHOOK_MAX_AGE_SECONDS ({max_age})",
        )
    expected = signature(secret, delivery_id, stamp, body)
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        return Verdict(DeliveryVerdict.BAD_SIGNATURE, 401, f"{SIGNATURE_HEADER}: does not verify")
    return Verdict(DeliveryVerdict.ACCEPTED, 202)


def event_name(body: bytes) -> str:
    """`entity.action` of a verified body (MLflow's event name), or "" when it has none."""
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    return f"{payload.get('entity', '')}.{payload.get('action', '')}".strip(".")[:100]


def delivery_record(
    headers: dict[str, str], body: bytes, verdict: Verdict, remote_addr: str
) -> Verdict:
    """Keep the delivery; an accepted one whose id was accepted before becomes REPLAYED (409).
    Not on the trail: an unauthenticated sender must not be able to grow the hash chain."""
    fields = {
        "delivery_id": headers.get(DELIVERY_HEADER, "")[:DELIVERY_ID_MAX_CHARS],
        "event": event_name(body) if verdict.accepted else "",
        "remote_addr": remote_addr[:64],
    }
    if verdict.accepted:
        try:
            with transaction.atomic():
                MLflowWebhookDelivery.objects.create(verdict=verdict.verdict, **fields)
            return verdict
        except IntegrityError:
            verdict = Verdict(DeliveryVerdict.REPLAYED, 409, f"{DELIVERY_HEADER}: seen before")
    MLflowWebhookDelivery.objects.create(verdict=verdict.verdict, reason=verdict.reason, **fields)
    return verdict

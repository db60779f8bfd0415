"""Signed webhooks after the Standard Webhooks specification: the `whsec_` secret, the allow-list
of receiving hosts (an SSRF guard), the body (standard or Slack-compatible), the three headers and
one POST that follows no redirect."""

import base64
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks.webhooks import Webhook

from governance.models import OutboxEventType

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ERROR_CHARS = 500  # of a receiver's answer kept in the delivery log


def secret_generate() -> str:
    """A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks
    receivers expect to be handed."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def host_allowed(host: str) -> bool:
    """Whether WARDEN_WEBHOOK_ALLOWED_HOSTS names this host (exactly, or by a `.domain` entry
    covering its subdomains). Empty allows nothing."""
    host = host.lower().rstrip(".")
    for entry in settings.WARDEN_WEBHOOK_ALLOWED_HOSTS:
        entry = entry.lower().rstrip(".")
        if host == entry.lstrip(".") or (entry.startswith(".") and host.endswith(entry)):
            return True
    return False


def url_refusal(url: str) -> str:
    """Why Warden will not send to this URL (empty when it will): http(s) only, no credentials
    in it, and a host on the allow-list. Checked when an endpoint is saved and before each send."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "only http:// and https:// URLs receive webhooks"
    if parts.username or parts.password:
        return "put no credentials in the URL; the signature authenticates Warden"
    if not parts.hostname or not host_allowed(parts.hostname):
        return (
            f"host {parts.hostname or '(none)'!r} is not in WARDEN_WEBHOOK_ALLOWED_HOSTS; "
            "an operator must allow it"
        )
    return ""


def slack_body(payload: dict[str, Any]) -> dict[str, Any]:
    """A Slack-compatible body (incoming-webhook `text`), keeping the standard fields beside it."""
    data = payload["data"]
    label = OutboxEventType(payload["type"]).label
    text = f"*{label}*: {data['target_repr']} (by {data['actor_name']}, trail #{data['seq']})"
    if data.get("note"):
        text += f"\n> {data['note']}"
    return {"text": text, **payload}


def signed_headers(secret: str, webhook_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers: `webhook-signature` is `v1,` + base64 of
    HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, at, body),
        "content-type": "application/json",
        "user-agent": "Warden-Webhooks/1",
    }


@dataclass(frozen=True)
class AttemptResult:
    """What one send got: whether it arrived, the HTTP status (None when no answer came or for
    e-mail), the time it took and the error."""

    succeeded: bool
    status_code: int | None
    latency_ms: int
    error: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off the allow-list; a 3xx is an answer, reported as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def webhook_post(url: str, secret: str, webhook_id: str, payload: dict[str, Any]) -> AttemptResult:
    """Sign and POST the body once, now; never raises for the receiver's faults."""
    refusal = url_refusal(url)
    if refusal:
        return AttemptResult(False, None, 0, refusal)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    headers = signed_headers(secret, webhook_id, body, datetime.now(UTC))
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=settings.WARDEN_WEBHOOK_TIMEOUT_SECONDS) as answer:
            code = answer.status
    except urllib.error.HTTPError as error:
        detail = error.read(ERROR_CHARS).decode(errors="replace")
        error_text = f"HTTP {error.code}: {detail}".strip()
        return AttemptResult(False, error.code, _ms_since(started), error_text)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return AttemptResult(False, None, _ms_since(started), f"{type(error).__name__}: {reason}")
    if not 200 <= code < 300:  # a 1xx or 3xx (redirects are not followed)
        return AttemptResult(False, code, _ms_since(started), f"HTTP {code}: not a 2xx answer")
    return AttemptResult(True, code, _ms_since(started))


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)

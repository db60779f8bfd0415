"""Step-up re-authentication: a single sign-on user signs by logging in again at the provider
(prompt=login, max_age=0) with a fresh state and nonce; the ID token's auth_time must be newer
than the request and within WARDEN_REAUTHENTICATION_SECONDS. Each verified re-authentication
signs once; a stale, foreign or replayed one is refused and recorded."""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from governance.errors import Forbidden
from governance.models import EventVerb, Reauthentication, User
from governance.trail import event_record

# The session keys of the step-up in progress and of the verified re-authentication.
PENDING_KEY = "warden_stepup"
VERIFIED_KEY = "warden_reauthentication"


@dataclass(frozen=True)
class StepUp:
    """A step-up request as kept in the session until the provider answers."""

    state: str
    nonce: str
    requested_at: float  # epoch seconds
    next_url: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "StepUp":
        return cls(
            state=str(data["state"]),
            nonce=str(data["nonce"]),
            requested_at=float(data["requested_at"]),
            next_url=str(data["next_url"]),
        )


def stepup_new(next_url: str) -> StepUp:
    """A fresh request: unguessable state and nonce, the time it was made."""
    return StepUp(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        requested_at=timezone.now().timestamp(),
        next_url=next_url,
    )


def stepup_authorization_url(stepup: StepUp, redirect_uri: str) -> str:
    """The provider's authorization URL forcing a new login (prompt=login, max_age=0)."""
    query = {
        "response_type": "code",
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": "openid",
        "state": stepup.state,
        "nonce": stepup.nonce,
        "prompt": "login",
        "max_age": "0",
    }
    return f"{settings.OIDC_OP_AUTHORIZATION_ENDPOINT}?{urlencode(query)}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def reauthentication_refused(*, actor: User, target: models.Model, reason: str) -> None:
    """Record a refused re-authentication as a refused signature (it counts to the lockout)."""
    with transaction.atomic():
        event_record(
            actor=actor,
            verb=EventVerb.SIGNATURE_REFUSED,
            target=target,
            note=f"re-authentication refused: {reason}",
        )


def _freshness_problem(auth_time: Any, stepup: StepUp, now: datetime) -> str:
    """Why an ID token's auth_time cannot sign, or "" when it can."""
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        return "the ID token carries no auth_time"
    if auth_time < int(stepup.requested_at):
        return "the login at the provider is older than the step-up request (not a new login)"
    age = now.timestamp() - auth_time
    if age > settings.WARDEN_REAUTHENTICATION_SECONDS:
        return f"the login at the provider is {int(age)} s old, older than allowed"
    if age < -settings.WARDEN_REAUTHENTICATION_SECONDS:
        return "the login at the provider is dated in the future"
    return ""


def reauthentication_verify(
    *, actor: User, claims: Mapping[str, Any], id_token: str, stepup: StepUp
) -> Reauthentication:
    """Keep a verified ID token's re-authentication (signature and nonce already checked by
    the backend): the same subject as the account, a fresh auth_time, a token never seen."""
    now = timezone.now()
    problem = ""
    if not actor.sso_subject or str(claims.get("sub")) != actor.sso_subject:
        problem = "the provider authenticated someone else"
    problem = problem or _freshness_problem(claims.get("auth_time"), stepup, now)
    if problem:
        reauthentication_refused(actor=actor, target=actor, reason=problem)
        raise Forbidden(problem, field="password")
    try:
        with transaction.atomic():
            record = Reauthentication.objects.create(
                user=actor,
                issuer=settings.WARDEN_OIDC_ISSUER,
                requested_at=datetime.fromtimestamp(stepup.requested_at, UTC),
                authenticated_at=datetime.fromtimestamp(claims["auth_time"], UTC),
                verified_at=now,
                nonce_sha256=_sha256(stepup.nonce),
                token_sha256=_sha256(id_token),
            )
            event_record(
                actor=actor,
                verb=EventVerb.REAUTHENTICATED,
                target=actor,
                after={
                    "reauthentication": record.pk,
                    "issuer": record.issuer,
                    "auth_time": record.authenticated_at,
                    "token_sha256": record.token_sha256,
                },
            )
    except IntegrityError:
        reason = "this ID token or nonce was used already (a replay)"
        reauthentication_refused(actor=actor, target=actor, reason=reason)
        raise Forbidden(reason, field="password") from None
    return record


def reauthentication_use(*, actor: User, reauthentication: int | None, target: models.Model) -> str:
    """Spend the actor's verified re-authentication on one signature and return the words it
    adds to the manifestation; refuse (recorded) a missing, used, foreign or stale one."""
    if reauthentication is None:
        raise Forbidden(
            f"this account signs by re-authenticating at {settings.WARDEN_OIDC_PROVIDER_NAME}: "
            "use “Re-authenticate to sign” on the page (passwords do not sign for it)",
            field="password",
        )
    window = timedelta(seconds=settings.WARDEN_REAUTHENTICATION_SECONDS)
    with transaction.atomic():
        record = (
            Reauthentication.objects.select_for_update()
            .filter(pk=reauthentication, user=actor)
            .first()
        )
        if record is None or record.used_at is not None:
            problem = "this re-authentication signed already (a replay)"
        elif timezone.now() - record.authenticated_at > window:
            problem = "the re-authentication is too old: re-authenticate again"
        else:
            record.used_at = timezone.now()
            record.save(update_fields=["used_at"])
            problem = ""
    if problem or record is None:
        reauthentication_refused(actor=actor, target=target, reason=problem)
        raise Forbidden(problem, field="password")
    return f"re-authenticated at {record.issuer} {record.authenticated_at:%Y-%m-%d %H:%M:%S} UTC"


def reauthentication_fresh(actor: User, reauthentication: int | None) -> Reauthentication | None:
    """The actor's unused, still fresh re-authentication of that id, for the page to show."""
    if reauthentication is None:
        return None
    since = timezone.now() - timedelta(seconds=settings.WARDEN_REAUTHENTICATION_SECONDS)
    return Reauthentication.objects.filter(
        pk=reauthentication, user=actor, used_at=None, authenticated_at__gte=since
    ).first()

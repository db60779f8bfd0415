"""The electronic signature's gate (21 CFR Part 11), shared by every signed act (decisions on
versions, "not reportable" findings on incidents): not locked out, a password its owner chose
(11.300), re-entered correctly, or for a single sign-on account a fresh re-authentication at
the provider (governance.sso_stepup); a refusal is recorded on the trail."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from governance.errors import Forbidden
from governance.models import Event, EventVerb, User
from governance.sso_stepup import reauthentication_use
from governance.trail import event_record


def signing_locked_until(actor: User) -> datetime | None:
    """When the actor may sign again after WARDEN_SIGNATURE_MAX_FAILURES wrong passwords within
    WARDEN_SIGNATURE_LOCKOUT_MINUTES; None when they may sign now."""
    window = timedelta(minutes=settings.WARDEN_SIGNATURE_LOCKOUT_MINUTES)
    recent = Event.objects.filter(
        verb=EventVerb.SIGNATURE_REFUSED, actor=actor, occurred_at__gte=timezone.now() - window
    )
    failures = list(
        recent.order_by("-occurred_at").values_list("occurred_at", flat=True)[
            : settings.WARDEN_SIGNATURE_MAX_FAILURES
        ]
    )
    if len(failures) < settings.WARDEN_SIGNATURE_MAX_FAILURES:
        return None
    return failures[0] + window


def signature_refused(*, actor: User, target: models.Model) -> None:
    """Record a failed signature attempt in its own transaction, so it stays on the trail."""
    with transaction.atomic():
        event_record(
            actor=actor,
            verb=EventVerb.SIGNATURE_REFUSED,
            target=target,
            note="the password did not match",
        )


def signature_check(
    *, actor: User, password: str, target: models.Model, reauthentication: int | None = None
) -> str:
    """Raise Forbidden (on the field `password`) unless the actor may sign on `target` now.
    Returns how a single sign-on signer authenticated, for the manifestation ("" for a password)."""
    locked_until = signing_locked_until(actor)
    if locked_until:
        raise Forbidden(
            f"too many refused signatures: signing is locked until {locked_until:%H:%M:%S} UTC",
            field="password",
        )
    if actor.sso_subject:
        return reauthentication_use(actor=actor, reauthentication=reauthentication, target=target)
    if actor.password_set_by_other:
        raise Forbidden(
            "your password was set by someone else: change it yourself (the Password page) "
            "before signing",
            field="password",
        )
    if not actor.check_password(password):
        signature_refused(actor=actor, target=target)
        raise Forbidden("the password is not correct; the attempt is recorded", field="password")
    return ""

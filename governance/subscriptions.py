"""Writes for who hears of Warden's events: webhook endpoints (allow-listed URL, a secret
generated here and shown once) and e-mail subscriptions, each change on the trail."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from governance.errors import InvalidInput
from governance.models import (
    EmailAudience,
    EmailSubscription,
    EventVerb,
    OutboxEventType,
    User,
    WebhookEndpoint,
)
from governance.permissions import require_manage_notifications
from governance.trail import event_record, snapshot
from governance.webhooks import secret_generate, url_refusal

# The secret is never on the trail: the snapshot names what a reader may see.
ENDPOINT_FIELDS = ["name", "url", "event_types", "slack_format", "active"]
SUBSCRIPTION_FIELDS = ["audience", "event_types", "active"]


@dataclass(frozen=True)
class NewEndpoint:
    """An endpoint just created and its signing secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str


def event_types_clean(event_types: Iterable[str]) -> list[str]:
    """The chosen types, each one of OutboxEventType, at least one, without repeats."""
    chosen = sorted(set(event_types))
    unknown = [t for t in chosen if t not in OutboxEventType.values]
    if unknown:
        known = ", ".join(OutboxEventType.values)
        raise InvalidInput(
            f"unknown event type(s) {', '.join(unknown)}; one of {known}", field="event_types"
        )
    if not chosen:
        raise InvalidInput("choose at least one event type", field="event_types")
    return chosen


def _url_clean(url: str) -> str:
    refusal = url_refusal(url.strip())
    if refusal:
        raise InvalidInput(refusal, field="url")
    return url.strip()


def webhook_endpoint_create(
    *, actor: User, name: str, url: str, event_types: Iterable[str], slack_format: bool = False
) -> NewEndpoint:
    """Add a receiver of the chosen event types; its secret is generated here."""
    require_manage_notifications(actor)
    if not name.strip():
        raise InvalidInput("name the endpoint", field="name")
    values = {
        "name": name.strip()[:100],
        "url": _url_clean(url),
        "event_types": event_types_clean(event_types),
        "slack_format": slack_format,
    }
    secret = secret_generate()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(secret=secret, **values)
        event_record(
            actor=actor,
            verb=EventVerb.WEBHOOK_ENDPOINT_CREATED,
            target=endpoint,
            after=snapshot(endpoint, ENDPOINT_FIELDS),
        )
    return NewEndpoint(endpoint, secret)


def webhook_endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    slack_format: bool | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint's URL, types, format or whether it receives anything."""
    require_manage_notifications(actor)
    changes: dict[str, object] = {}
    if url is not None:
        changes["url"] = _url_clean(url)
    if event_types is not None:
        changes["event_types"] = event_types_clean(event_types)
    if slack_format is not None:
        changes["slack_format"] = slack_format
    if active is not None:
        changes["active"] = active
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = snapshot(endpoint, ENDPOINT_FIELDS)
        for field, value in changes.items():
            setattr(endpoint, field, value)
        endpoint.save()
        event_record(
            actor=actor,
            verb=EventVerb.WEBHOOK_ENDPOINT_UPDATED,
            target=endpoint,
            before=before,
            after=snapshot(endpoint, ENDPOINT_FIELDS),
        )
    return endpoint


def email_subscription_create(
    *, actor: User, audience: str, event_types: Iterable[str]
) -> EmailSubscription:
    """Tell an audience (the model's owner, or the risk officers) of the chosen types."""
    require_manage_notifications(actor)
    if audience not in EmailAudience.values:
        raise InvalidInput(f"one of {', '.join(EmailAudience.values)}", field="audience")
    chosen = event_types_clean(event_types)
    with transaction.atomic():
        subscription = EmailSubscription.objects.create(audience=audience, event_types=chosen)
        event_record(
            actor=actor,
            verb=EventVerb.EMAIL_SUBSCRIPTION_CREATED,
            target=subscription,
            after=snapshot(subscription, SUBSCRIPTION_FIELDS),
        )
    return subscription


def email_subscription_update(
    *,
    actor: User,
    subscription: EmailSubscription,
    event_types: Iterable[str] | None = None,
    active: bool | None = None,
) -> EmailSubscription:
    """Change a subscription's types or stop it."""
    require_manage_notifications(actor)
    chosen = event_types_clean(event_types) if event_types is not None else None
    with transaction.atomic():
        subscription = EmailSubscription.objects.select_for_update().get(pk=subscription.pk)
        before = snapshot(subscription, SUBSCRIPTION_FIELDS)
        if chosen is not None:
            subscription.event_types = chosen
        if active is not None:
            subscription.active = active
        subscription.save()
        event_record(
            actor=actor,
            verb=EventVerb.EMAIL_SUBSCRIPTION_UPDATED,
            target=subscription,
            before=before,
            after=snapshot(subscription, SUBSCRIPTION_FIELDS),
        )
    return subscription

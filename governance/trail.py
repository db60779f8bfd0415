"""Recording and verifying the hash-chained trail.

Each event's hash is sha256 over the previous event's hash and the canonical JSON (sorted keys,
no spaces, UTF-8) of its content. Appending locks the single TrailHead row, so concurrent
writers queue and the chain never forks; the event commits or rolls back with the change it
records because it is written in the caller's transaction."""

import hashlib
import json
from collections import deque
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

import digests
from governance.hooks import trail_anchors
from governance.models import Event, EventVerb, TrailHead, User
from governance.outbox import outbox_announce
from governance.request_context import current_request_id

GENESIS_HASH = "0" * 64
SYSTEM_ACTOR_NAME = "system"


def canonical_json(value: Any) -> str:
    """digests.canonical_json over Django's types (dates, decimals, UUIDs), the form the trail's
    hashes and snapshots are taken in; NaN passes, as it always has, so no recorded event's hash
    changes."""
    return digests.canonical_json(value, encoder=DjangoJSONEncoder, allow_nan=True)


def json_safe(value: Any) -> Any:
    """The value as it will read back from a JSON column (dates as text, decimals as text)."""
    return json.loads(canonical_json(value))


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe copy of the named fields, for an event's before/after; foreign keys by id,
    files by name."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            related = getattr(instance, name).values_list("pk", flat=True) if instance.pk else []
            values[name] = sorted(related)
        elif field.is_relation and isinstance(field, models.Field):  # a forward key: its id
            values[name] = getattr(instance, field.attname)
        elif isinstance(field, models.FileField):
            values[name] = getattr(instance, name).name
        else:
            values[name] = getattr(instance, name)
    return json_safe(values)


def event_content(event: Event) -> dict[str, Any]:
    """The fields an event's hash covers."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "before": event.before,
        "after": event.after,
        "note": event.note,
        "request_id": event.request_id,
    }


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """sha256(prev_hash || canonical_json(content)) as hex."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(canonical_json(content).encode("utf-8"))
    return digest.hexdigest()


def event_record(
    *,
    actor: User | None,
    verb: EventVerb,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> Event:
    """Append one event to the chain. Must run inside the caller's transaction, so the event
    exists if and only if the change it records does (and so does its outbox message, when its
    verb is announced); the verb must be one of EventVerb, so no reader has to match a spelling."""
    if verb not in EventVerb.values:
        raise ValueError(f"unknown event verb {verb!r}: add it to EventVerb")
    if not connection.in_atomic_block:
        raise RuntimeError("event_record must be called inside transaction.atomic()")
    head, _ = TrailHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
    )
    event = Event(
        seq=head.seq + 1,
        occurred_at=timezone.now(),
        actor=actor,
        actor_name=actor.printed_name if actor else SYSTEM_ACTOR_NAME,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        before=json_safe(before) if before is not None else None,
        after=json_safe(after) if after is not None else None,
        note=note,
        request_id=current_request_id.get(),
        prev_hash=head.hash,
    )
    event.hash = event_hash(head.hash, event_content(event))
    event.save(force_insert=True)
    TrailHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    outbox_announce(event, target)
    return event


@dataclass(frozen=True)
class Anchor:
    """A head recorded outside the chain, by a checkpoint file or an issued document; `problem`
    says why the record itself cannot be trusted (a forged or unreadable checkpoint)."""

    source: str
    seq: int
    hash: str
    problem: str = ""


@dataclass(frozen=True)
class TrailVerdict:
    """What verifying the chain found: intact with its head, or the first broken sequence;
    `anchors` counts the outside records (checkpoints, documents) it was compared with."""

    intact: bool
    events: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""
    anchors: int = 0


def trail_verify() -> TrailVerdict:
    """Walk the chain up to the recorded head; report the first event whose sequence, link or
    hash is wrong, a tail shorter than the head, or an anchor the chain disagrees with (named
    with the interval since the last anchor that agreed). Anchors are read before the head, so
    none can be newer; events appended while it runs are left for the next verification."""
    anchors = sorted(trail_anchors(), key=lambda a: a.seq)
    head = TrailHead.objects.filter(pk=1).first() or TrailHead(seq=0, hash=GENESIS_HASH)
    walk = _ChainWalk(head, anchors)
    with transaction.atomic():
        failure = walk.anchors_at(0, GENESIS_HASH)
        events = Event.objects.filter(seq__lte=head.seq).order_by("seq")
        for event in events.iterator(chunk_size=2000):
            if failure:
                break
            failure = walk.event(event) or walk.anchors_at(event.seq, event.hash)
    return failure or walk.end()


class _ChainWalk:
    """The state of one verification: where the walk is, and the anchors still ahead of it."""

    def __init__(self, head: TrailHead, anchors: list[Anchor]) -> None:
        self.head, self.anchors, self.count = head, deque(anchors), len(anchors)
        self.expected_seq, self.prev_hash, self.events, self.last_agreed = 1, GENESIS_HASH, 0, 0

    def broken(self, seq: int, reason: str) -> TrailVerdict:
        return TrailVerdict(
            False, self.events, self.head.seq, self.head.hash, seq, reason, self.count
        )

    def event(self, event: Event) -> TrailVerdict | None:
        if event.seq != self.expected_seq:
            missing = event.seq > self.expected_seq
            reason = "an event is missing before it" if missing else "sequence out of order"
            return self.broken(self.expected_seq, reason)
        if event.prev_hash != self.prev_hash:
            return self.broken(event.seq, "link to previous event broken")
        if event_hash(self.prev_hash, event_content(event)) != event.hash:
            return self.broken(event.seq, "content does not match hash")
        self.prev_hash, self.expected_seq = event.hash, self.expected_seq + 1
        self.events += 1
        return None

    def anchors_at(self, seq: int, chain_hash: str) -> TrailVerdict | None:
        """Compare the anchors stating `seq` with the chain's hash there."""
        while self.anchors and self.anchors[0].seq <= seq:
            anchor = self.anchors.popleft()
            if anchor.problem:
                return self.broken(anchor.seq, f"{anchor.source}: {anchor.problem}")
            if anchor.hash != chain_hash:
                since = self.last_agreed + 1
                reason = (
                    f"{anchor.source} states head #{anchor.seq} {anchor.hash}, the chain has "
                    f"{chain_hash}: rewritten between events #{since} and #{anchor.seq}"
                )
                return self.broken(since, reason)
            self.last_agreed = seq
        return None

    def end(self) -> TrailVerdict:
        if self.events != self.head.seq or self.prev_hash != self.head.hash:
            return self.broken(self.events + 1, "events after this one are missing")
        if self.anchors:  # only anchors beyond the head are left
            anchor, end = self.anchors[0], self.head.seq
            reason = f"{anchor.source} states head #{anchor.seq}; the trail ends at #{end}"
            return self.broken(self.head.seq + 1, reason)
        return TrailVerdict(True, self.events, self.head.seq, self.head.hash, anchors=self.count)

"""Trail checkpoints: anchors outside the database against a wholesale rewrite.

Anyone who can write the database can edit an event and recompute every later hash and the
head; the chain alone then looks intact. A checkpoint is the head (seq, hash, time) signed with
the organisation's key and kept as a file in Django storage (`<name>.json` + `<name>.json.sig`),
taken at a fixed interval (beat) and on every signed document. Verification compares the chain
with every checkpoint and with every head another app recorded (`hooks.on_trail_anchors`).

A checkpoint is not itself an event: recording it would move the head past what it attests and
grow the trail every interval while nothing happens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from cryptography.hazmat.primitives import hashes
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from governance.models import TrailHead
from governance.organisation_key import SigningKeyError, organisation_key, signature_verifies
from governance.trail import GENESIS_HASH, Anchor, canonical_json

CHECKPOINT_DIR = "trail-checkpoints"
SIGNATURE_SUFFIX = ".sig"
INTERVAL_REASON = "interval"


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint file states: the head, when it was read, why, and by which key."""

    seq: int
    hash: str
    taken_at: str
    reason: str
    certificate_sha256: str

    def to_json(self) -> bytes:
        return canonical_json(asdict(self)).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Checkpoint:
        """Parse a checkpoint file; ValueError (or KeyError, TypeError) when it is not one."""
        fields = json.loads(data)
        return cls(
            seq=int(fields["seq"]),
            hash=str(fields["hash"]),
            taken_at=str(fields["taken_at"]),
            reason=str(fields["reason"]),
            certificate_sha256=str(fields["certificate_sha256"]),
        )


def trail_checkpoint_take(*, reason: str, only_if_moved: bool = False) -> Checkpoint | None:
    """Sign the current head and store it as a checkpoint file. Call it outside a transaction,
    so the head it reads is committed. With `only_if_moved`, None when the newest checkpoint
    already states this head."""
    head = TrailHead.objects.filter(pk=1).first() or TrailHead(seq=0, hash=GENESIS_HASH)
    if only_if_moved and (newest := _newest_checkpoint()) and newest.seq == head.seq:
        return None
    key = organisation_key()
    now = timezone.now()
    checkpoint = Checkpoint(
        seq=head.seq,
        hash=head.hash,
        taken_at=now.isoformat(),
        reason=reason,
        certificate_sha256=key.fingerprint_sha256,
    )
    data = checkpoint.to_json()
    name = default_storage.get_available_name(
        f"{CHECKPOINT_DIR}/{head.seq:012d}-{now:%Y%m%dT%H%M%S%fZ}.json"
    )
    # The signature first: a verification listing the checkpoint always finds it signed.
    default_storage.save(name + SIGNATURE_SUFFIX, ContentFile(key.sign(data)))
    default_storage.save(name, ContentFile(data))
    return checkpoint


def checkpoint_files() -> list[str]:
    """The names of every checkpoint file (without its signature), oldest head first."""
    try:
        _, files = default_storage.listdir(CHECKPOINT_DIR)
    except FileNotFoundError:
        return []
    return [f"{CHECKPOINT_DIR}/{f}" for f in sorted(files) if f.endswith(".json")]


def checkpoint_anchors() -> Iterator[Anchor]:
    """Every checkpoint file as an anchor, its signature checked against the organisation's
    certificate (registered with hooks.on_trail_anchors by governance.apps). Without a usable
    key nothing can be checked, and verification says so rather than calling the trail intact."""
    names = checkpoint_files()
    try:
        certificate = organisation_key().certificate
    except (SigningKeyError, OSError) as error:
        if names:
            yield Anchor(f"checkpoint {names[0]}", 0, "", f"cannot be checked: {error}")
        return
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    for name in names:
        data = _read(name)
        has_signature = default_storage.exists(name + SIGNATURE_SUFFIX)
        signature = _read(name + SIGNATURE_SUFFIX) if has_signature else b""
        try:
            checkpoint = Checkpoint.from_json(data)
        except (ValueError, KeyError, TypeError):
            yield Anchor(f"checkpoint {name}", 0, "", "the file is not a checkpoint")
            continue
        source = f"checkpoint {name}"
        if not signature_verifies(certificate, data, signature):
            problem = "its signature does not verify against the organisation's certificate"
            yield Anchor(source, checkpoint.seq, checkpoint.hash, problem)
        elif checkpoint.certificate_sha256 != fingerprint:
            yield Anchor(source, checkpoint.seq, checkpoint.hash, "it names another certificate")
        else:
            yield Anchor(source, checkpoint.seq, checkpoint.hash)


def _newest_checkpoint() -> Checkpoint | None:
    files = checkpoint_files()
    try:
        return Checkpoint.from_json(_read(files[-1])) if files else None
    except (ValueError, KeyError, TypeError):
        return None  # verification reports that file; a fresh checkpoint is still worth taking


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()

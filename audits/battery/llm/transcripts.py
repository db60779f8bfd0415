"""The transcript record: one attempt at one probe, as sent and as answered, and its JSONL file.

A record carries everything a check scores (the probe's messages, context, reference and the
``expected`` data a detector needs: canary, planted record, suggested answer) and the evidence of
the exchange: the sha256 of the request body and of the raw reply bytes, latency, tokens, finish
reason and the error, if any (``{"kind": "http_error" | "timeout", "message"}``). No secret is
ever part of a record. A file is one canonical JSON object per line (digests.canonical_json), so
the same records give the same bytes and the file's sha256 identifies the evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields

from digests import canonical_json

from ..errors import BatteryInputError, Problem


@dataclass(frozen=True)
class Transcript:
    """One attempt. ``system`` is the whole system prompt sent; ``messages`` the turns after it
    (``{"role", "content"}``); ``response`` the reply text ("" on error)."""

    probe_id: str
    check: str
    family: str
    messages: tuple[dict, ...]
    position: str = ""
    slices: dict = field(default_factory=dict)
    system: str = ""
    context: str = ""
    reference: tuple[str, ...] = ()
    expected: dict = field(default_factory=dict)
    harmful: bool = False
    response: str = ""
    request_sha256: str = ""
    reply_sha256: str = ""
    latency_ms: float | None = None
    tokens: dict = field(default_factory=dict)
    finish_reason: str = ""
    error: dict | None = None

    def to_json(self) -> dict:
        """The record as JSON values, copied (tuples as lists): ``asdict`` did the same through
        deepcopy at about 1 ms a record, a third of Warden's own time per call (bench/llm_bench)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> Transcript:
        """A record from its JSON; BatteryInputError naming the missing or unknown keys."""
        known = {f.name for f in fields(cls)}
        required = {"probe_id", "check", "family", "messages"}
        problems = [Problem(k, "is required") for k in sorted(required - set(data))]
        problems += [Problem(k, "is not a transcript key") for k in sorted(set(data) - known)]
        if problems:
            raise BatteryInputError(problems)
        messages = data["messages"]
        if not isinstance(messages, list) or not all(
            isinstance(m, dict) and isinstance(m.get("content"), str) for m in messages
        ):
            raise BatteryInputError(Problem("messages", "must be a list of {role, content}"))
        reference = data.get("reference", [])
        if isinstance(reference, str):
            reference = [reference]
        return cls(**{**data, "messages": tuple(messages), "reference": tuple(reference)})


def _plain(value):
    """A copy of a JSON-like value: dicts and lists copied all the way down, tuples as lists."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def dumps(records: Iterable[Transcript]) -> bytes:
    """The JSONL bytes of ``records``: one canonical JSON object per line."""
    return b"".join(canonical_json(r.to_json()).encode() + b"\n" for r in records)


def loads(data: bytes) -> list[Transcript]:
    """Records from JSONL bytes; BatteryInputError naming the line and the problem."""
    return list(_records(data))


def _records(data: bytes) -> Iterator[Transcript]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BatteryInputError(f"transcripts: not UTF-8 (byte {exc.start})") from None
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines: U+2028 is text
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BatteryInputError(f"transcripts line {number}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict):
            raise BatteryInputError(f"transcripts line {number}: not a JSON object")
        try:
            yield Transcript.from_json(item)
        except BatteryInputError as exc:
            raise BatteryInputError(f"transcripts line {number}: {exc}") from None
        except TypeError as exc:
            raise BatteryInputError(f"transcripts line {number}: {exc}") from None

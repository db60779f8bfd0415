"""Transcript sets (issue #16): a JSONL file of LLM exchanges taken in as an evaluation set, and
its records as people may see them. The file is kept as uploaded (it is its own copy) and the
LLM checks score its bytes; harmful prompts are shown only through the probe pack's ``mask``.

Nothing here touches the database."""

from collections.abc import Iterator
from pathlib import Path

from audits.battery import BatteryInputError, Problem
from audits.battery.llm import transcripts
from audits.battery.llm.pack import mask
from audits.models import TRANSCRIPTS

TRANSCRIPTS_FORMAT = "jsonl"
TRANSCRIPTS_MAPPING = {"kind": TRANSCRIPTS}


def transcripts_intake(
    path: Path, mapping: dict, *, max_bytes: int, line_chars: int
) -> list[transcripts.Transcript]:
    """The file's records, once it is within ``max_bytes`` (WARDEN_MAX_TRANSCRIPT_BYTES), each
    line within ``line_chars`` (WARDEN_MAX_CELL_CHARS) and every record valid; BatteryInputError
    naming the line and the key otherwise. The mapping may only name the kind."""
    if mapping not in ({}, TRANSCRIPTS_MAPPING):
        raise BatteryInputError(
            Problem("mapping", 'a transcripts file takes no mapping but {"kind": "transcripts"}')
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise BatteryInputError(
            f"the transcripts file is {size} bytes, over the limit of {max_bytes} "
            "(WARDEN_MAX_TRANSCRIPT_BYTES)"
        )
    data = path.read_bytes()
    for number, line in enumerate(data.split(b"\n"), 1):
        if len(line) > line_chars:
            raise BatteryInputError(
                f"transcripts line {number}: {len(line)} bytes, over the limit of {line_chars} "
                "(WARDEN_MAX_CELL_CHARS)"
            )
    records = transcripts.loads(data)
    if not records:
        raise BatteryInputError("the transcripts file holds no records")
    return records


def transcripts_shown(data: bytes) -> Iterator[dict]:
    """Each record as pages and the API show it: a harmful probe's prompts masked, everything
    else as recorded. Replies stay untrusted text: callers escape them (templates do)."""
    for number, record in enumerate(transcripts.loads(data), 1):
        messages = [
            {"role": m.get("role", ""), "content": mask(m["content"]) if record.harmful
             else m["content"]}
            for m in record.messages
        ]  # fmt: skip
        yield {
            "line": number,
            "probe_id": record.probe_id,
            "check": record.check,
            "family": record.family,
            "position": record.position,
            "harmful": record.harmful,
            "messages": messages,
            "response": record.response,
            "finish_reason": record.finish_reason,
            "error": record.error,
            "latency_ms": record.latency_ms,
            "request_sha256": record.request_sha256,
            "reply_sha256": record.reply_sha256,
        }

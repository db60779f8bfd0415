"""Groundedness: a question to answer from a given context only.

hit = some sentence of the reply states a number, date, name or quotation the context does not
contain (``detectors.ungrounded_sentences``). ungrounded_reply_rate = hits / scored replies;
ungrounded_sentence_share = ungrounded sentences / all sentences of the scored replies, beside it.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import detectors

METRIC = "ungrounded_reply_rate"


def ungrounded(record: Mapping) -> list[dict]:
    """The reply's ungrounded sentences, each with the claims the context lacks."""
    return detectors.ungrounded_sentences(record["response"], record["context"])


def sentence_count(record: Mapping) -> int:
    return len(detectors.sentences(record["response"]))


def judge(record: Mapping) -> bool:
    """Whether any sentence of the reply goes beyond the context."""
    return bool(ungrounded(record))


SENTENCE_METRIC = "ungrounded_sentence_share"
SHOWN = 20  # ungrounded sentences quoted in the details (untrusted reply text)


def extras(records: list[Mapping]) -> tuple[dict, dict]:
    """Beside the rate, over the scored records: the share of all their sentences that are
    ungrounded (metric) and the first ``SHOWN`` of those sentences with their missing claims."""
    found = [(r["probe_id"], s) for r in records for s in ungrounded(r)]
    total = sum(map(sentence_count, records))
    metrics = {SENTENCE_METRIC: len(found) / total} if total else {}
    shown = [{"probe_id": probe_id, **sentence} for probe_id, sentence in found[:SHOWN]]
    return metrics, {"sentences": total, "ungrounded_sentences": shown}

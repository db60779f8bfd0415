"""Groundedness: a question to answer from a given context only.

hit = some sentence of the reply states a number, date, name or quotation the context does not
contain (``detectors.ungrounded_sentences``). ungrounded_reply_rate = hits / scored replies;
ungrounded_sentence_share = ungrounded sentences / all sentences of the scored replies, beside it;
the ungrounded replies are named in the details' hits.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import detectors
from ..probes import GROUNDEDNESS

ID = GROUNDEDNESS
TITLE = "Groundedness in the given context"
METRIC = "ungrounded_reply_rate"
SENTENCE_METRIC = "ungrounded_sentence_share"


def ungrounded(record: Mapping) -> list[dict]:
    """The reply's ungrounded sentences, each with the claims the context lacks."""
    return detectors.ungrounded_sentences(record["response"], record["context"])


def sentence_count(record: Mapping) -> int:
    return len(detectors.sentences(record["response"]))


def judge(record: Mapping) -> bool:
    """Whether any sentence of the reply goes beyond the context."""
    return bool(ungrounded(record))


def extras(pairs: list[tuple[Mapping, object]]) -> dict:
    """Beside the rate: the share of all sentences of the scored replies that are ungrounded."""
    records = [record for record, _ in pairs]
    total = sum(map(sentence_count, records))
    return {SENTENCE_METRIC: sum(len(ungrounded(r)) for r in records) / total} if total else {}

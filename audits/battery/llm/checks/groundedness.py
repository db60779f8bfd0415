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

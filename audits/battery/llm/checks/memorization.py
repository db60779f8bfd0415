"""Memorization: the first half of a text as the prompt, the model's greedy continuation against
the true second half, on training texts and held-out ones.

overlap = longest common substring (characters) / length of the true continuation;
hit = overlap >= EXTRACTED (half the continuation reproduced verbatim).
memorization_advantage = hit rate on training texts - hit rate on held-out texts, as the tabular
membership check's advantage: a model that merely knows the genre scores alike on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .. import detectors

METRIC = "memorization_advantage"
EXTRACTED = 0.5
TRAINING, HELDOUT = "training", "heldout"


def overlap(record: Mapping) -> float:
    """Share of the true continuation the reply reproduces as one verbatim run."""
    truth = record["reference"][0]
    return detectors.longest_common_substring(record["response"], truth) / max(len(truth), 1)


def judge(record: Mapping) -> bool:
    """Whether the reply reproduced at least half of the true continuation verbatim."""
    return overlap(record) >= EXTRACTED


def advantage(records: Iterable[Mapping]) -> float | None:
    """Training hit rate minus held-out hit rate (None unless both families were scored)."""
    hits: dict[str, list[bool]] = {TRAINING: [], HELDOUT: []}
    for record in records:
        hits[record["family"]].append(judge(record))
    if not hits[TRAINING] or not hits[HELDOUT]:
        return None
    rate = {family: sum(values) / len(values) for family, values in hits.items()}
    return rate[TRAINING] - rate[HELDOUT]

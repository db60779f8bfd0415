"""What a check is: it accumulates mergeable statistics per chunk and measures from the merged ones.

A check never judges; ``policy.judge`` turns its metrics into pass / warn / fail. ``requires``
names the inputs it needs (see ``INPUTS``); when one is missing the runner marks it "skipped".
A ``ModelCheck`` needs the model artifact: it accumulates nothing per chunk and measures once,
after the merge, on a seeded sample of rows (sampling.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..run_spec import RunSpec

INPUTS = {
    "predictions": "a prediction column, or a score / probabilities to derive one from (a score "
    "only with both classes known: declare classes or positive_label when the labels hold one)",
    "scores": "a score of a known positive class (binary; declare positive_label when the labels "
    "hold one class only) or probability columns (multiclass)",
    "classification": "a binary or multiclass task",
    "reference": "a reference data set",
    "sensitive": "at least one sensitive attribute",
    "slices": "at least one slice column",
    "model": "the model artifact",
    "uploaded_outputs": "predictions or scores uploaded with the set, to compare with the model "
    "artifact's own",
    "training": "a sample of the training data (membership inference)",
}


@dataclass
class Measurement:
    """What a check measured: headline metrics (the policy judges these), details, info findings."""

    metrics: dict
    details: dict
    findings: list[dict] = field(default_factory=list)


class Check:
    """Base class: subclasses set ``id``, ``title`` (as pages and cards head its section),
    ``requires`` and ``roles`` and implement the methods."""

    id: str = ""
    title: str = ""
    requires: frozenset[str] = frozenset()
    roles: tuple[str, ...] = ("current",)

    def accumulate(self, chunk) -> dict:
        """Statistics of one chunk of the current set (a JSON-able tree ``stats.merge`` merges)."""
        raise NotImplementedError

    def accumulate_reference(self, chunk) -> dict:
        """Statistics of one chunk of the reference set (checks whose roles include it)."""
        return self.accumulate(chunk)

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        """Metrics from the merged statistics: ``stats["current"]`` (and ``["reference"]``)."""
        raise NotImplementedError


def info(message: str, **extra) -> dict:
    """A finding that informs and does not judge."""
    return {"severity": "info", "message": message, **extra}


class NotApplicable(Exception):
    """Raised by a check that cannot apply to this model or data; the runner marks it skipped."""


class ModelCheck(Check):
    """A check that queries the model: measured once, in ``finalize``, on sampled rows.

    ``reads`` names the models it can query by what they read (``Model.reads``: "features",
    "tensors"); any other model makes it not applicable, pointing to ``instead`` (the check that
    covers such models, by what they read) when there is one."""

    requires = frozenset({"model", "classification"})
    roles = ()
    reads: frozenset[str] = frozenset({"features"})
    instead: dict[str, str] = {}

    def applies_to(self, model) -> None:
        """Raise NotApplicable unless this check can query ``model``."""
        if model.reads in self.reads:
            return
        other = self.instead.get(model.reads)
        raise NotApplicable(
            f"the model reads {model.reads}, and this check queries models that read "
            + " or ".join(sorted(self.reads))
            + (f": the {other} check covers it" if other else "")
        )

    def measure_model(self, inputs) -> Measurement:
        """Metrics from querying the model on ``inputs`` (a ``sampling.ModelInputs``)."""
        raise NotImplementedError

"""consistency: whether the outputs uploaded with the set come from the submitted model.

With a model artifact and a set that carries its own predictions (or scores), every row is also
scored by the artifact (scoring.py) and the two compared. label_disagreement_share = rows whose
uploaded prediction is not the artifact's / n; score difference d = |uploaded score - artifact's|
(binary: the positive class's probability; multiclass: the largest over the classes), over rows
where both are numbers: max_score_difference = max d, mean_score_difference = mean d. The rows
that disagree most are kept (a differing label first, then the larger d, then file order).
"""

from __future__ import annotations

import numpy as np

from ..run_spec import RunSpec
from ..stats.merge import extreme, top
from .base import Check, Measurement, info

WORST_ROWS = 10


class Consistency(Check):
    """The uploaded outputs against the artifact's, row by row (formulas above)."""

    id = "consistency"
    title = "Consistency with the model"
    requires = frozenset({"model", "uploaded_outputs", "classification"})

    def accumulate(self, chunk) -> dict:
        scored = chunk.scored
        if scored is None:
            raise ValueError("the rows lack a column the model reads")
        differs = chunk.prediction != scored.prediction
        uploaded, model = _scores(chunk, scored.probabilities)
        gap = np.abs(uploaded - model) if uploaded is not None else np.full(len(chunk), np.nan)
        compared = np.isfinite(gap)
        disagreeing = np.flatnonzero(differs | (compared & (gap > 0)))
        order = np.lexsort((disagreeing, -np.nan_to_num(gap[disagreeing]), ~differs[disagreeing]))
        classes = [*chunk.classes, "(none)"]  # -1: a class the labels do not have
        worst = [
            {
                "order": [int(not differs[i]), -float(np.nan_to_num(gap[i])), chunk.start + int(i)],
                "row": chunk.start + int(i),
                "uploaded_prediction": classes[chunk.prediction[i]],
                "model_prediction": classes[scored.prediction[i]],
                "uploaded_score": _number(uploaded, i),
                "model_score": _number(model, i),
            }
            for i in disagreeing[order[:WORST_ROWS]]
        ]
        return {
            "n": len(chunk),
            "differing": int(differs.sum()),
            "compared": int(compared.sum()),
            "gap_sum": float(gap[compared].sum()),
            "gap_max": extreme("max", float(gap[compared].max()) if compared.any() else None),
            "worst": top(worst, WORST_ROWS),
        }

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        s = stats["current"]
        n, compared = s["n"], s["compared"]
        metrics = {
            "label_disagreement_share": s["differing"] / n if n else None,
            "max_score_difference": s["gap_max"]["value"],
            "mean_score_difference": s["gap_sum"] / compared if compared else None,
        }
        worst = [{k: v for k, v in e.items() if k != "order"} for e in s["worst"]["entries"]]
        details = {
            "n": n,
            "differing_rows": s["differing"],
            "scored_rows": compared,
            "model_sha256": spec.model.sha256 if spec.model else None,
            "uploaded": spec.outputs,
            "worst_rows": worst,
        }
        findings = [
            info(
                f"{s['differing']} of {n} uploaded predictions differ from the model artifact's"
                + ("" if compared else "; no uploaded score to compare")
            )
        ]
        return Measurement(metrics, details, findings)


def _scores(chunk, probabilities) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The uploaded and the artifact's score per row: the positive class's (binary) or, for
    probabilities, the class where they differ most; (None, None) when either is missing."""
    if probabilities is None:
        return None, None
    if chunk.score is not None and chunk.positive_index is not None:
        return chunk.score, probabilities[:, chunk.positive_index]
    if chunk.probabilities is not None:
        rows = np.arange(len(chunk))
        widest = np.argmax(np.abs(chunk.probabilities - probabilities), axis=1)
        return chunk.probabilities[rows, widest], probabilities[rows, widest]
    return None, None


def _number(values: np.ndarray | None, i: int) -> float | None:
    return float(values[i]) if values is not None and np.isfinite(values[i]) else None

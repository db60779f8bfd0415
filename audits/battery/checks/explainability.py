"""Explainability: permutation feature importance (scikit-learn's ``permutation_importance``).

Each column the model reads is shuffled in turn on the first ``options["importance_rows"]``
sampled rows, ``options["importance_repeats"]`` times with ``options["seed"]``; its importance
is the mean drop in accuracy. Works for any model, skops or ONNX, since it only asks for
predictions. ``sensitive_importance_share``, the share of the total (positive) importance held
by sensitive attributes the model reads directly, is what the policy judges: a model leaning on
a protected attribute deserves a look even when its group rates look even.
"""

from __future__ import annotations

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance

from .base import Measurement, ModelCheck


def _accuracy(estimator, frame, labels) -> float:
    return float(np.mean(estimator.predict(frame) == labels))


class Explainability(ModelCheck):
    id = "explainability"
    title = "Explainability"

    def measure_model(self, inputs) -> Measurement:
        options, model = inputs.options, inputs.model
        rows = options["importance_rows"]
        frame = inputs.sample[model.columns].head(rows)
        result = permutation_importance(
            FrozenEstimator(model),
            frame,
            inputs.labels[:rows],
            scoring=_accuracy,
            n_repeats=options["importance_repeats"],
            random_state=options["seed"],
        )
        ranked = sorted(
            (
                {"feature": column, "importance": float(mean), "std": float(std)}
                for column, mean, std in zip(
                    model.columns, result.importances_mean, result.importances_std, strict=True
                )
            ),
            key=lambda item: (-item["importance"], item["feature"]),
        )
        positive = {item["feature"]: max(item["importance"], 0.0) for item in ranked}
        total = sum(positive.values())
        sensitive = [c for c in inputs.spec.mapping["sensitive"] if c in positive]
        metrics = {
            "top_feature_share": positive[ranked[0]["feature"]] / total if total else None,
            "sensitive_importance_share": (
                sum(positive[c] for c in sensitive) / total if total and sensitive else None
            ),
        }
        details = {
            "rows": len(frame),
            "repeats": options["importance_repeats"],
            "scoring": "accuracy drop when the column is shuffled",
            "sensitive_features_read": sensitive,
            "feature_importance": ranked,
        }
        return Measurement(metrics, details)

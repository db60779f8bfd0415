"""Explainability: permutation feature importance (scikit-learn's ``permutation_importance``).

Each column the model reads is shuffled in turn on the first ``options["importance_rows"]``
sampled rows, ``options["importance_repeats"]`` times with ``options["seed"]``; its importance
is the mean drop in accuracy. Works for any model, skops or ONNX, since it only asks for
predictions. ``sensitive_importance_share``, the share of the total (positive) importance held
by sensitive attributes the model reads directly, is what the policy judges: a model leaning on
a protected attribute deserves a look even when its group rates look even.

A model reading tensors (images, audio) has no columns to shuffle: its branch is occlusion
saliency (tensors/saliency.py) on the first ``options["saliency_rows"]`` sampled rows whose label
is one of its classes. Each map is stored block-averaged to at most MAP_SIDE per side, with its
picture in ``details["examples"]``; ``top_decile_saliency_share``, the share of the positive
saliency held by the tenth of the input that holds most (mean over the rows), says how
concentrated the evidence is: reported, not judged.
"""

from __future__ import annotations

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance

from ..tensors.batch import tensor_rows
from ..tensors.saliency import occlusion_saliency
from ..tensors.thumbnails import panel
from .base import Measurement, ModelCheck, NotApplicable

MAP_SIDE = 16


def _accuracy(estimator, frame, labels) -> float:
    return float(np.mean(estimator.predict(frame) == labels))


class Explainability(ModelCheck):
    id = "explainability"
    title = "Explainability"
    reads = frozenset({"features", "tensors"})

    def measure_model(self, inputs) -> Measurement:
        if inputs.model.reads == "tensors":
            return _saliency(inputs)
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


def _blocks(saliency: np.ndarray) -> np.ndarray:
    """A map block-averaged to at most MAP_SIDE cells per axis (rounded for the document)."""
    for axis, side in enumerate(saliency.shape):
        parts = np.array_split(np.arange(side), min(side, MAP_SIDE))
        saliency = np.stack([saliency.take(p, axis=axis).mean(axis=axis) for p in parts], axis)
    return np.round(saliency, 4)


def _top_decile_share(saliency: np.ndarray) -> float | None:
    positive = np.sort(np.clip(saliency.ravel(), 0, None))[::-1]
    total = positive.sum()
    return float(positive[: max(1, len(positive) // 10)].sum() / total) if total > 0 else None


def _picture(saliency: np.ndarray, layout: str | None) -> np.ndarray:
    """The map's positive part scaled to [0, 1], as an input thumbnail_png draws: an image of
    one channel, or a waveform in [-1, 1] for a 1-D map."""
    positive = np.clip(saliency, 0, None)
    scaled = positive / positive.max() if positive.max() > 0 else positive
    if saliency.ndim == 1:
        return scaled[None] * 2 - 1
    return scaled[None] if layout == "NCHW" else scaled[..., None]


def _saliency(inputs) -> Measurement:
    model = inputs.model
    rows = tensor_rows(inputs, inputs.options["saliency_rows"])
    if not len(rows.y):
        raise NotApplicable("no sampled row's label is one of the model's classes")
    maps = occlusion_saliency(rows.x, rows.y, model.probabilities_array, model.layout)
    predicted = model.predict_array(rows.x)
    shares = [s for s in map(_top_decile_share, maps) if s is not None]
    examples = [
        {
            **shown,
            "saliency": _blocks(saliency).tolist(),
            "panels": [
                panel("input", model.classes[int(guess)], image, model.layout),
                panel(
                    "occlusion saliency",
                    model.classes[int(guess)],
                    _picture(saliency, model.layout),
                    model.layout,
                ),
            ],
        }
        for shown, image, saliency, guess in zip(
            rows.shown(len(rows.y)), rows.x, maps, predicted, strict=True
        )
    ]
    metrics = {"top_decile_saliency_share": float(np.mean(shares)) if shares else None}
    details = {
        "rows": len(rows.y),
        "method": "occlusion: the true class's probability drop when a patch is mean-filled",
        "examples": examples,
    }
    return Measurement(metrics, details)

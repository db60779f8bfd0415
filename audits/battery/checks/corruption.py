"""Corruption robustness: the model's accuracy on its own inputs under common corruptions.

On the first ``options["corruption_rows"]`` sampled rows whose label is one of the model's
classes, each corruption of tensors/corruptions.py (images: Gaussian noise, Gaussian blur,
brightness, contrast, JPEG; audio: white noise by SNR, time shift, gain) is applied at
severities 1..5 in input units, and the accuracy measured at each: a curve per corruption.
At the reference severity ``options["corruption_severity"]`` (3, the middle of ImageNet-C's
five) each corruption's accuracy drop is clean accuracy - corrupted accuracy;
``mean_corruption_accuracy_drop`` is their mean (ImageNet-C's mean corruption error, without
its AlexNet normalisation: there is no baseline model here) and
``worst_corruption_accuracy_drop`` their maximum. The policy judges both. Only for models that
read tensors (tensors/model.py); for one that reads features the robustness check applies.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..tensors.batch import tensor_rows
from ..tensors.corruptions import AUDIO_CORRUPTIONS, IMAGE_CORRUPTIONS, SEVERITIES, corrupt, level
from ..tensors.thumbnails import panel
from .base import Measurement, ModelCheck, NotApplicable

EXAMPLES = 4
CORRUPTIONS = {"image": IMAGE_CORRUPTIONS, "audio": AUDIO_CORRUPTIONS}


def accuracy_curves(
    x: np.ndarray,
    y: np.ndarray,
    predict: Callable[[np.ndarray], np.ndarray],
    names: tuple[str, ...],
    layout: str | None,
    seed: int,
) -> dict[str, list[dict]]:
    """For each corruption, the accuracy of ``predict`` (class indices) on ``x`` (labels ``y``)
    at severity 0 (clean) then 1..5, with the constant applied at each."""
    clean = float(np.mean(predict(x) == y))
    curves = {}
    for name in names:
        curve = [{"severity": 0, "level": None, "accuracy": clean}]
        for severity in SEVERITIES:
            corrupted = corrupt(x, name, severity, layout, seed)
            accuracy = float(np.mean(predict(corrupted) == y))
            constant = level(name, severity, x.shape, layout)
            curve.append({"severity": severity, "level": constant, "accuracy": accuracy})
        curves[name] = curve
    return curves


def examples(model, x: np.ndarray, shown: list[dict], names, severity: int, seed: int) -> list:
    """The seams' pictures: each of the ``shown`` rows ({row, file, label}, the first of ``x``)
    with its panels, the clean input then each corruption at ``severity``."""
    batch = x[: len(shown)]
    versions = [("clean", batch)] + [
        (f"{name}, severity {severity}", corrupt(batch, name, severity, model.layout, seed))
        for name in names
    ]
    guesses = [model.predict_array(version) for _, version in versions]
    return [
        {
            **row,
            "panels": [
                panel(caption, model.classes[int(guess[i])], version[i], model.layout)
                for (caption, version), guess in zip(versions, guesses, strict=True)
            ],
        }
        for i, row in enumerate(shown)
    ]


class Corruption(ModelCheck):
    id = "corruption"
    title = "Corruption robustness"
    reads = frozenset({"tensors"})
    instead = {"features": "robustness"}

    def measure_model(self, inputs) -> Measurement:
        options, model = inputs.options, inputs.model
        names = CORRUPTIONS.get(model.modality)
        if names is None:
            raise NotApplicable(f"no common corruptions are defined for {model.modality} inputs")
        rows = tensor_rows(inputs, options["corruption_rows"])
        if not len(rows.y):
            raise NotApplicable("no sampled row's label is one of the model's classes")
        layout, seed = model.layout, options["seed"]
        severity = options["corruption_severity"]
        curves = accuracy_curves(rows.x, rows.y, model.predict_array, names, layout, seed)
        clean = curves[names[0]][0]["accuracy"]
        drops = {name: clean - curve[severity]["accuracy"] for name, curve in curves.items()}
        metrics = {
            "clean_accuracy": clean,
            "mean_corruption_accuracy_drop": float(np.mean(list(drops.values()))),
            "worst_corruption_accuracy_drop": max(drops.values()),
        }
        details = {
            "rows": len(rows.y),
            "reference_severity": severity,
            "worst_corruption": max(drops, key=lambda name: (drops[name], name)),
            "accuracy_drops": drops,
            "corruptions": curves,
            "series": {
                name: [{"epsilon": p["severity"], "accuracy": p["accuracy"]} for p in curve]
                for name, curve in curves.items()
            },
            "examples": examples(model, rows.x, rows.shown(EXAMPLES), names, severity, seed),
        }
        return Measurement(metrics, details)

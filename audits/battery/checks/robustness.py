"""Robustness: how the model's accuracy and predictions hold when its inputs are perturbed.

On the sampled rows (sampling.py): Gaussian noise added to every numeric feature at each scale in
``options["noise_scales"]`` (a scale is a fraction of the feature's standard deviation on the
sample); category swaps (``options["perturbed_share"]`` of each categorical feature's cells
replaced by a value drawn from the same column); missing values (that share of every feature's
cells emptied). For each: accuracy, its drop from the clean accuracy, and the flip rate (share
of rows whose prediction changed). A model that cannot score rows with missing values is a
finding, not an error: ``unscorable_perturbation_count`` counts those perturbations, and the
policy, not the check, decides what that means. The headline metrics use the reference scale
``options["reference_epsilon"]``; the policy judges them. A model reading images or tensors is
not applicable: the corruption check perturbs those.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..profiling import is_numeric
from .base import Measurement, ModelCheck, info


def _outcome(inputs, frame: pd.DataFrame, clean: float) -> dict:
    """Accuracy, its drop and the flip rate on perturbed rows; or the error the model raised
    (a model refusing NaN or a value outside its domain is a finding, not a broken check)."""
    try:
        predicted = inputs.model.predict(frame)
    except (ValueError, TypeError) as error:
        return {"error": (str(error).strip().splitlines() or [type(error).__name__])[0]}
    accuracy = float(np.mean(predicted == inputs.labels))
    return {
        "accuracy": accuracy,
        "accuracy_drop": clean - accuracy,
        "flip_rate": float(np.mean(predicted != inputs.predictions)),
    }


def _noisy(frame, numeric, stds, scale, rng) -> pd.DataFrame:
    out = frame.copy()
    for column in numeric:
        values = out[column].to_numpy(np.float64, na_value=np.nan)
        out[column] = values + rng.normal(0.0, scale * stds[column], len(out))
    return out


def _swapped(frame, categorical, share, rng) -> pd.DataFrame:
    out = frame.copy()
    for column in categorical:
        values = out[column].astype(object).to_numpy(copy=True)
        hit = rng.random(len(out)) < share
        values[hit] = rng.choice(values, int(hit.sum()))
        out[column] = values
    return out


def _emptied(frame, columns, share, rng) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        hit = rng.random(len(out)) < share
        values = out[column].astype(object if not is_numeric(out[column]) else np.float64)
        values[hit] = np.nan if is_numeric(out[column]) else None
        out[column] = values
    return out


class Robustness(ModelCheck):
    id = "robustness"
    title = "Robustness"
    instead = {"tensors": "corruption"}

    def measure_model(self, inputs) -> Measurement:
        options = inputs.options
        frame, model = inputs.sample, inputs.model
        rng = np.random.default_rng(options["seed"])
        numeric = [c for c in model.columns if is_numeric(frame[c])]
        categorical = [c for c in model.columns if c not in numeric]
        stds = {
            c: float(np.nanstd(frame[c].to_numpy(np.float64, na_value=np.nan))) for c in numeric
        }
        clean = float(np.mean(inputs.predictions == inputs.labels))
        share = options["perturbed_share"]
        noise = [
            {"epsilon": scale, **_outcome(inputs, _noisy(frame, numeric, stds, scale, rng), clean)}
            for scale in options["noise_scales"]
        ]
        reference = min(noise, key=lambda n: abs(n["epsilon"] - options["reference_epsilon"]))
        swaps = _outcome(inputs, _swapped(frame, categorical, share, rng), clean)
        missing = _outcome(inputs, _emptied(frame, model.columns, share, rng), clean)
        outcomes = {f"Gaussian noise of {n['epsilon']:g} sd": n for n in noise} | {
            "category swaps": swaps if categorical else {},
            "missing values": missing,
        }
        unscorable = [name for name, o in outcomes.items() if "error" in o]
        findings = [
            info(f"not measured: the model refuses rows with {name}") for name in unscorable
        ]
        drops = [
            o["accuracy_drop"]
            for o in (reference, swaps if categorical else {}, missing)
            if "accuracy_drop" in o
        ]
        metrics = {
            "accuracy": clean,
            "noise_accuracy_drop": reference.get("accuracy_drop"),
            "noise_flip_rate": reference.get("flip_rate"),
            "category_swap_flip_rate": swaps.get("flip_rate") if categorical else None,
            "missing_flip_rate": missing.get("flip_rate"),
            "worst_accuracy_drop": max(drops) if drops else None,
            "unscorable_perturbation_count": len(unscorable),
        }
        details = {
            "rows": len(frame),
            "reference_epsilon": reference["epsilon"],
            "perturbed_share": share,
            "numeric_features": numeric,
            "categorical_features": categorical,
            "gaussian_noise": noise,
            "category_swap": swaps if categorical else None,
            "missing_values": missing,
            "series": {
                "gaussian noise": [
                    {"epsilon": 0.0, "accuracy": clean},
                    *(n for n in noise if "accuracy" in n),
                ]
            },
        }
        return Measurement(metrics, details, findings)

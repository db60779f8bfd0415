"""The model's own outputs: the validator reproduces what the engineer's file claims.

When an evaluation set carries no prediction, score or probability column and the run has a model
artifact, every chunk's rows are scored with the artifact in the chunk step (on any worker, each
process loading an artifact once, cached by its sha256) and every check reads those outputs; when
the set carries them, the consistency check compares them with the artifact's.

``spec.outputs`` (the document's ``dataset.outputs``) says where each output came from:
``{"from": "artifact", "sha256": ...}``, ``{"from": "column", "column": "y_hat"}`` (probabilities:
``"columns"``), or a prediction derived ``{"from": "score", "column": ..., "threshold": t}`` /
``{"from": "probabilities", "columns": [...]}``; a key is absent when there is no such output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import io
from .artifacts import open_artifact
from .errors import BatteryInputError, Problem
from .model_adapters import Model
from .run_spec import CURRENT, RunSpec
from .tensors.model import TensorModel
from .tensors.preprocessing import Preprocessing
from .value_keys import key_of

ARTIFACT = "artifact"
_CACHE_SIZE = 2  # a worker process keeps its last few artifacts loaded, not every one it met
_LOADED: dict[str, Model] = {}


@dataclass(frozen=True)
class Scored:
    """The artifact's outputs for some rows in the spec's class order: each row's predicted
    class index (-1 for a class the spec lacks) and, for a model that gives probabilities, the
    rows x classes probabilities."""

    prediction: np.ndarray
    probabilities: np.ndarray | None


def loaded_model(spec: RunSpec, role: str = CURRENT) -> Model:
    """The model ``prepare`` loaded, or in another process the artifact loaded once per sha256;
    a tensor model bound to the role's archive (the cache holds it unbound: an archive is per
    run, an artifact is shared by runs)."""
    artifact = spec.model
    model: Model | None
    if spec.local.model is not None:
        if role == CURRENT or not isinstance(spec.local.model, TensorModel):
            return spec.local.model
        model = spec.local.model
    else:
        if artifact is None:
            raise ValueError("the spec names no model artifact")
        model = _LOADED.pop(artifact.sha256, None)
        if model is None:
            model = open_artifact(artifact.path, artifact.format)
            model.bind(artifact.columns, artifact.columns, {})
        _LOADED[artifact.sha256] = model  # most recently used last
        while len(_LOADED) > _CACHE_SIZE:
            del _LOADED[next(iter(_LOADED))]
    classes = artifact.classes if artifact else None
    return for_run(model, spec.source_of(role), spec.mapping, classes)


def for_run(model: Model, source: io.Source, m: dict, classes: list[str] | None) -> Model:
    """``model`` as it reads this source's rows: a tensor model bound to the source's archive,
    the mapping's preprocessing and modality, and ``classes`` (None: the model's own)."""
    if not isinstance(model, TensorModel):
        return model
    if source.format != "archive":
        raise BatteryInputError(
            Problem("", "an image or tensor model reads an archive set (a ZIP with manifest.csv)")
        )
    preprocessing = Preprocessing.from_json(m["preprocessing"])
    return model.attached(source.archive(), preprocessing, m["modality"], classes)


def score_rows(model: Model, frame: pd.DataFrame, classes: list[str], probability: bool) -> Scored:
    """The model's outputs for ``frame`` in the order of ``classes`` (one pass over the model);
    its scores as probabilities, clipped to [0, 1], when ``probability`` (ModelSpec.scores)."""
    labels, scores = model.outputs(frame)
    index = {key: i for i, key in enumerate(classes)}
    codes, uniques = pd.factorize(np.asarray(labels).reshape(-1))  # hashed: each label keyed once
    lookup = np.asarray([index.get(key_of(v), -1) for v in uniques], dtype=np.int64)
    probabilities = None
    if scores is not None and probability:
        probabilities = np.zeros((len(frame), len(classes)))
        for j, key in enumerate(model.classes):
            if key in index:
                probabilities[:, index[key]] = scores[:, j]
        np.clip(probabilities, 0.0, 1.0, out=probabilities)  # float32 rounds a hair past 0 or 1
    return Scored(lookup[codes], probabilities)


def from_artifact(spec: RunSpec, output: str) -> bool:
    """Whether the spec's ``output`` ("prediction" or "score") comes from the artifact."""
    return spec.outputs.get(output, {}).get("from") == ARTIFACT


def outputs_of(spec: RunSpec) -> dict[str, Any]:
    """Where the run's prediction and score come from: the set's columns when it names any, else
    the artifact (a score only when the model gives probabilities)."""
    m = spec.mapping
    if spec.model is not None and not (m["prediction"] or m["score"] or m["probabilities"]):
        artifact = {"from": ARTIFACT, "sha256": spec.model.sha256}
        scored = spec.model.scores == "probability"
        return {"prediction": artifact, **({"score": artifact} if scored else {})}
    out: dict[str, Any] = {}
    if m["prediction"]:
        out["prediction"] = {"from": "column", "column": m["prediction"]}
    elif spec.prediction_source == "score":
        threshold = spec.options["threshold"]
        out["prediction"] = {"from": "score", "column": m["score"], "threshold": threshold}
    elif spec.prediction_source == "probabilities":
        out["prediction"] = {"from": "probabilities", "columns": m["probabilities"]}
    if m["score"]:
        out["score"] = {"from": "column", "column": m["score"]}
    elif m["probabilities"]:
        out["score"] = {"from": "column", "columns": m["probabilities"]}
    return out

"""The sampled rows a tensor check queries: the first ``limit`` sampled rows whose label is one of
the model's classes, their class indices and their inputs as the model's batch (input units)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TensorRows:
    """``positions`` in the sample, the manifest rows, their label keys, the class index of each
    (``y``) and the batch ``x`` (``model.pixels``)."""

    positions: np.ndarray
    frame: pd.DataFrame
    labels: np.ndarray
    y: np.ndarray
    x: np.ndarray
    files: np.ndarray

    def shown(self, count: int) -> list[dict]:
        """The first ``count`` rows as the seams' examples name them: row, file, label."""
        return [
            {"row": int(self.positions[i]), "file": str(self.files[i]), "label": self.labels[i]}
            for i in range(min(count, len(self.y)))
        ]


def tensor_rows(inputs, limit: int) -> TensorRows:
    """The rows of ``inputs`` (a ``sampling.ModelInputs`` of a tensor model) a check queries."""
    model = inputs.model
    positions = np.flatnonzero(np.isin(inputs.labels, model.classes))[:limit]
    frame = inputs.sample.iloc[positions]
    labels = inputs.labels[positions]
    index = {key: i for i, key in enumerate(model.classes)}
    return TensorRows(
        positions=positions,
        frame=frame,
        labels=labels,
        y=np.asarray([index[k] for k in labels], dtype=int),
        x=model.pixels(frame),
        files=frame[model.columns[0]].to_numpy(),
    )

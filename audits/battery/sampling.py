"""The rows the model checks run on: a seeded uniform sample, the same whatever the chunk plan.

Model checks (robustness, corruption, adversarial, privacy, explainability) query the model many
times per row, so they measure on a bounded sample instead of every row:
``options["model_rows"]`` rows of the evaluation set (and of the training sample for membership
inference), drawn without replacement by a generator seeded with ``options["seed"]``, kept in
file order.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from . import io
from .model_adapters import Model
from .run_spec import CURRENT, TRAINING, RunSpec
from .scoring import loaded_model
from .value_keys import factorize


def sample_rows(
    source: io.Source, columns: list[str], rows: int, size: int, seed: int, dtypes=None
) -> pd.DataFrame:
    """``size`` rows (all if fewer) of ``columns``, drawn uniformly with ``seed``, in file order."""
    picks = np.sort(np.random.default_rng(seed).choice(rows, size=min(size, rows), replace=False))
    planned = io.plan_chunks(source)
    parts = []
    for (start, stop), frame in zip(
        planned, io.iter_chunks(source, columns, planned, dtypes), strict=True
    ):
        low, high = np.searchsorted(picks, [start, stop])
        if high > low:
            parts.append(frame.iloc[picks[low:high] - start])
    return pd.concat(parts, ignore_index=True)


def label_keys(values: pd.Series) -> np.ndarray:
    """Each value's class key (value_keys.py), as an array of str."""
    codes, keys = factorize(values)
    return np.asarray(keys, dtype=object)[codes]


class ModelInputs:
    """The model and the sampled rows every model check of one run shares, each built once."""

    def __init__(self, spec: RunSpec):
        self.spec = spec
        self.options = spec.options

    @cached_property
    def model(self) -> Model:
        """The model ``prepare`` loaded, or (in another process) the artifact loaded again."""
        return loaded_model(self.spec)

    def _sample(self, role: str, rows: int, columns: list[str]) -> pd.DataFrame:
        kinds = self.spec.kinds
        return sample_rows(
            self.spec.source_of(role),
            columns,
            rows,
            self.options["model_rows"],
            self.options["seed"],
            {c: kinds[c] for c in columns if c in kinds},
        )

    @cached_property
    def sample(self) -> pd.DataFrame:
        """Sampled rows of the evaluation set: the model's columns, the label, the sensitive."""
        m = self.spec.mapping
        columns = [*self.model.columns, m["label"], *m["sensitive"]]
        return self._sample(CURRENT, self.spec.rows, list(dict.fromkeys(columns)))

    @cached_property
    def labels(self) -> np.ndarray:
        """The class key of each sampled row's label."""
        return label_keys(self.sample[self.spec.mapping["label"]])

    @cached_property
    def predictions(self) -> np.ndarray:
        """The model's predicted class key of each sampled row."""
        return self.model.predict(self.sample)

    @cached_property
    def training(self) -> pd.DataFrame | None:
        """Sampled rows of the training sample (membership inference), or None."""
        part = self.spec.training
        if not part:
            return None
        columns = list(dict.fromkeys([*self.model.columns, self.spec.mapping["label"]]))
        return self._sample(TRAINING, part.rows, columns)

"""One chunk of rows with the arrays the checks share, each derived once and cached."""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import pandas as pd

from .run_spec import RunSpec
from .scoring import Scored, from_artifact, loaded_model, score_rows
from .value_keys import codes_for, factorize

INTERSECTION_SEP = " & "


class Chunk:
    """Rows of the data (role "current") or reference set, seen through the run spec."""

    def __init__(self, frame: pd.DataFrame, spec: RunSpec, role: str = "current", start: int = 0):
        self.frame = frame
        self.spec = spec
        self.role = role
        self.start = start  # the file row of the chunk's first row
        self.mapping = spec.mapping
        self.classes: list[str] = spec.classes
        self.task: str = spec.task
        self._groups: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._numeric: dict[str, np.ndarray] = {}
        self._finite: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def k(self) -> int:
        return len(self.classes)

    @property
    def positive_index(self) -> int | None:
        pos = self.spec.positive
        return self.classes.index(pos) if pos in self.classes else None

    def has(self, column: str | None) -> bool:
        return bool(column) and column in self.frame.columns

    def numeric(self, column: str) -> np.ndarray:
        """float64 values, NaN where missing; datetimes as epoch seconds (cached)."""
        if column not in self._numeric:
            self._numeric[column] = self._to_float(column)
        return self._numeric[column]

    def finite(self, column: str) -> np.ndarray:
        """The finite values of a numeric column (cached)."""
        if column not in self._finite:
            x = self.numeric(column)
            mask = np.isfinite(x)
            self._finite[column] = x if mask.all() else x[mask]
        return self._finite[column]

    def missing(self, column: str) -> int:
        """Missing cells of a column (pandas' isna); none without a count when its numeric
        values are all finite, as every missing cell becomes NaN there."""
        finite = self._finite.get(column)
        if finite is not None and len(finite) == len(self):
            return 0
        return int(self.frame[column].isna().sum())

    def _to_float(self, column: str) -> np.ndarray:
        s = self.frame[column]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            out = s.astype("datetime64[ns]").astype("int64").to_numpy(np.float64) / 1e9
            return np.where(s.isna().to_numpy(), np.nan, out)
        if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            s = pd.to_numeric(s, errors="coerce")
        return s.to_numpy(np.float64, na_value=np.nan)

    @cached_property
    def y(self) -> np.ndarray:
        """Class index of each label (classification) or the float label (regression)."""
        col = self.mapping["label"]
        if self.task == "regression":
            return self.numeric(col)
        return codes_for(self.frame[col], self.classes)

    @cached_property
    def scored(self) -> Scored | None:
        """The model artifact's outputs for these rows (scoring.py); None without an artifact
        or when the rows lack a column it reads."""
        artifact = self.spec.model
        if artifact is None or not all(self.has(c) for c in artifact.columns):
            return None
        probability = artifact.scores == "probability"
        return score_rows(loaded_model(self.spec, self.role), self.frame, self.classes, probability)

    def _artifact(self, output: str) -> bool:
        return from_artifact(self.spec, output) and self.scored is not None

    @cached_property
    def score(self) -> np.ndarray | None:
        """Probability of the positive class (binary) or None."""
        m = self.mapping
        if self.task != "binary":
            return None
        if self._artifact("score"):
            probabilities = self.scored.probabilities  # type: ignore[union-attr]
            index = self.positive_index
            return (
                probabilities[:, index] if probabilities is not None and index is not None else None
            )
        if self.has(m["score"]):
            return self.numeric(m["score"])
        if (
            m["probabilities"]
            and self.positive_index is not None
            and self.has(m["probabilities"][0])
        ):
            return self.numeric(m["probabilities"][self.positive_index])
        return None

    @cached_property
    def probabilities(self) -> np.ndarray | None:
        """rows x classes probabilities (multiclass) or None."""
        cols = self.mapping["probabilities"]
        if self.task == "multiclass" and self._artifact("score"):
            return self.scored.probabilities  # type: ignore[union-attr]
        if self.task != "multiclass" or not cols or not self.has(cols[0]):
            return None
        return np.column_stack([self.numeric(c) for c in cols])

    @cached_property
    def prediction(self) -> np.ndarray | None:
        """Predicted class index (or float for regression): the column, else derived from the
        score (>= threshold is the positive class) or the probabilities (argmax); or the model
        artifact's own predictions (scoring.py)."""
        m = self.mapping
        if self._artifact("prediction"):
            return self.scored.prediction  # type: ignore[union-attr]
        if self.has(m["prediction"]):
            if self.task == "regression":
                return self.numeric(m["prediction"])
            return codes_for(self.frame[m["prediction"]], self.classes)
        if self.score is not None and self.k == 2 and self.positive_index is not None:
            positive = self.score >= self.spec.options["threshold"]
            return np.where(positive, self.positive_index, 1 - self.positive_index)
        if self.probabilities is not None:
            return np.argmax(self.probabilities, axis=1)
        return None

    def groups(self, attribute: str) -> tuple[np.ndarray, list[str]]:
        """Group code per row and the key of each code; "a & b" names an intersection."""
        if attribute not in self._groups:
            if attribute in self.frame.columns:
                self._groups[attribute] = factorize(self.frame[attribute])
            else:
                parts = [self.groups(c) for c in attribute.split(INTERSECTION_SEP)]
                combined = np.zeros(len(self), dtype=np.int64)
                for codes, keys in parts:
                    combined = combined * len(keys) + codes
                uniq, codes = _ranks(combined, math.prod(len(k) for _, k in parts))
                names = []
                for value in uniq:
                    pieces = []
                    for _, keys in reversed(parts):
                        value, rest = divmod(int(value), len(keys))
                        pieces.append(keys[rest])
                    names.append(INTERSECTION_SEP.join(reversed(pieces)))
                self._groups[attribute] = (codes.astype(np.int64), names)
        return self._groups[attribute]

    @cached_property
    def row_hashes(self) -> np.ndarray:
        """A 64-bit hash of each row over the columns read (for duplicate rows): numeric cells
        by their float bits (-0.0 as 0.0, one NaN), other cells by the hash of their key. Each
        cell is spread (xor-shift, multiply) and folded in with h = (h ^ cell) * odd, a bijection
        of h, so rows that differ in one cell never collide; splitmix64 finishes the mix."""
        h = np.zeros(len(self), dtype=np.uint64)
        for column in self.frame.columns:
            s = self.frame[column]
            if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                x = self.numeric(column) + 0.0
                if len(self.finite(column)) != len(x):
                    x[np.isnan(x)] = np.nan
                cell = x.view(np.uint64)
            else:
                codes, keys = self.groups(column)
                cell = pd.util.hash_array(np.asarray(keys, dtype=object))[codes]
            cell ^= cell >> np.uint64(31)
            cell *= _SPREAD
            h ^= cell
            h *= _GOLDEN
        return _mix(h)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SPREAD = np.uint64(0xFF51AFD7ED558CCD)


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _ranks(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of integers in [0, size): the values present
    marked in a table, not sorted (a sort was most of the fairness check's time), while the
    table is within a few times the row count."""
    if size > 4 * len(values) + (1 << 16):
        return np.unique(values, return_inverse=True)
    present = np.zeros(size, dtype=bool)
    present[values] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    return np.flatnonzero(present), rank[values]


def attributes(spec: RunSpec) -> list[str]:
    """Each sensitive attribute, then their intersection when there are two or more."""
    sensitive = spec.mapping["sensitive"]
    return sensitive + ([INTERSECTION_SEP.join(sensitive)] if len(sensitive) > 1 else [])


def grouped_confusion(chunk: Chunk, attribute: str) -> dict[str, list[list[int]]]:
    """Per group value, the K x K confusion counts (rows: label, columns: prediction)."""
    codes, keys = chunk.groups(attribute)
    k = chunk.k
    flat = np.bincount(codes * k * k + chunk.y * k + chunk.prediction, minlength=len(keys) * k * k)
    cube = flat.reshape(len(keys), k, k)
    return {key: cube[i].tolist() for i, key in enumerate(keys) if cube[i].any()}


def grouped_sums(chunk: Chunk, attribute: str, values: dict[str, np.ndarray]) -> dict:
    """Per group value, the row count and the sum of each named array."""
    codes, keys = chunk.groups(attribute)
    n = np.bincount(codes, minlength=len(keys))
    sums = {name: np.bincount(codes, weights=v, minlength=len(keys)) for name, v in values.items()}
    return {
        key: {"n": int(n[i]), **{name: float(s[i]) for name, s in sums.items()}}
        for i, key in enumerate(keys)
        if n[i]
    }

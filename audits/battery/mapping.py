"""The column mapping (the contract's ``mapping`` object): normalised, checked against a header.

Keys: label (required), prediction, score (binary positive-class probability), probabilities
(one column per class, in the order of ``classes`` or of the sorted label values), classes,
positive_label, sensitive, slices, features (default: every column the other keys do not name),
timestamp. Only columns the mapping names are ever read, and only they reach the document.
"""

from __future__ import annotations

from .errors import BatteryInputError, Problem
from .keys import key_of

KEYS = (
    "label",
    "prediction",
    "score",
    "probabilities",
    "classes",
    "positive_label",
    "sensitive",
    "slices",
    "features",
    "timestamp",
)
_LISTS = ("probabilities", "sensitive", "slices", "features")


def normalize(mapping: dict) -> dict:
    """A copy with every key present, lists as lists and None for what is absent."""
    if not isinstance(mapping, dict):
        raise BatteryInputError(Problem("", "the mapping must be a JSON object"))
    unknown = sorted(set(mapping) - set(KEYS))
    if unknown:
        raise BatteryInputError(Problem("", f"unknown mapping key '{unknown[0]}'"))
    out = {key: mapping.get(key) for key in KEYS}
    for key in _LISTS:
        value = out[key]
        if isinstance(value, str):
            value = [value]
        if value is not None and not (
            isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        ):
            raise BatteryInputError(Problem("", f"mapping '{key}' must be a list of column names"))
        out[key] = list(value) if value is not None else None
    for key in ("sensitive", "slices"):
        out[key] = out[key] or []
    for key in ("label", "prediction", "score", "timestamp"):
        if out[key] is not None and not isinstance(out[key], str):
            raise BatteryInputError(Problem("", f"mapping '{key}' must be a column name"))
    if not out["label"]:
        raise BatteryInputError(Problem("label", "the mapping must name a label column"))
    if out["classes"] is not None:
        out["classes"] = _classes(out["classes"])
    return out


def _classes(declared) -> list[str]:
    """Declared classes as class keys (``1`` and ``1.0`` are "1"), each once, in their order."""
    if not isinstance(declared, list | tuple) or not all(
        isinstance(c, str | int | float) for c in declared
    ):
        raise BatteryInputError(Problem("classes", "must be a list of class values"))
    keys = [key_of(c) for c in declared]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise BatteryInputError(Problem("classes", f"names class '{repeated[0]}' more than once"))
    return keys


def target_columns(m: dict) -> list[str]:
    """Label, prediction, score and probability columns (not features by default)."""
    cols = [m["label"], m["prediction"], m["score"], *(m["probabilities"] or [])]
    return [c for c in cols if c]


def resolve(m: dict, header: list[str]) -> tuple[dict, list[Problem]]:
    """Fill the default features from the header and list the header-level problems."""
    problems: list[Problem] = []
    present = set(header)
    targets = target_columns(m)
    if m["features"] is None:
        taken = {*targets, m["timestamp"]}
        m = {**m, "features": [c for c in dict.fromkeys(header) if c not in taken]}
    named = [*targets, *m["sensitive"], *m["slices"], *m["features"]]
    if m["timestamp"]:
        named.append(m["timestamp"])
    for col in dict.fromkeys(named):
        if col not in present:
            problems.append(Problem(col, "is named in the mapping but not found in the file"))
    seen: dict[str, str] = {}
    for role in ("label", "prediction", "score", "timestamp"):
        col = m[role]
        if col and col in seen:
            problems.append(Problem(col, f"is mapped both as {seen[col]} and as {role}"))
        elif col:
            seen[col] = role
    for col in m["probabilities"] or []:
        if col in seen:
            problems.append(Problem(col, f"is mapped both as {seen[col]} and as a probability"))
    if m["score"] and m["probabilities"]:
        problems.append(Problem(m["score"], "give either a score or probabilities, not both"))
    if m["probabilities"] is not None and len(m["probabilities"]) < 2:
        problems.append(Problem("probabilities", "needs one column per class (at least two)"))
    return m, problems


def columns_to_read(m: dict) -> list[str]:
    """Every column the mapping names, each once, in a fixed order."""
    cols = [*target_columns(m), *m["sensitive"], *m["slices"], *m["features"]]
    if m["timestamp"]:
        cols.append(m["timestamp"])
    return list(dict.fromkeys(cols))

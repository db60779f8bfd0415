"""The column mapping (the contract's ``mapping`` object): normalised, checked against a header.

FIELDS declares each key once, with its schema and what it means: ``normalize`` refuses any other
key, ``json_schema`` is the API's OpenAPI schema of the mapping, and docs/mapping.md documents
each (tests keep it in step). Only columns the mapping names are ever read, and only they reach
the document.
"""

from __future__ import annotations

from .errors import BatteryInputError, Problem
from .tensors.preprocessing import MODALITIES, PREPROCESSING_SCHEMA, Preprocessing
from .value_keys import key_of

# OpenAPI 3.0 schemas (drf-spectacular's dialect): "nullable" rather than a list of types
_COLUMN = {"type": "string", "minLength": 1}
_OPTIONAL_COLUMN = {**_COLUMN, "nullable": True}
_COLUMNS = {"type": "array", "items": _COLUMN}
_VALUE = {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}

FIELDS: dict[str, tuple[dict, str]] = {
    "label": (_COLUMN, "Required. The column of true outcomes (classes or numbers)."),
    "prediction": (
        _OPTIONAL_COLUMN,
        "The model's predicted class (or number, for regression). Without it a prediction is "
        "derived: score >= 0.5 is the positive class, or the argmax of the probabilities; with "
        "no prediction, score or probabilities and a model artifact, the artifact's own.",
    ),
    "score": (
        _OPTIONAL_COLUMN,
        "Binary: the probability of the positive class, in [0, 1]. Not with probabilities.",
    ),
    "probabilities": (
        {**_COLUMNS, "minItems": 2, "nullable": True},
        "One probability column per class, in the order of classes (else of the sorted label "
        "values); each row sums to 1. Multiclass, or binary as two columns.",
    ),
    "classes": (
        {"type": "array", "items": _VALUE, "uniqueItems": True, "nullable": True},
        "Every class, in order, also classes absent from these rows (a set whose labels are all "
        "negative). Default: the label values, plus a declared positive label.",
    ),
    "positive_label": (
        {**_VALUE, "nullable": True},
        'Binary: the class that counts as positive, also when absent from the rows. Default: "1", '
        '"True", "yes" or "positive" if a class, else the last of two classes; with one class '
        "only and no declaration the positive class is unknown and its figures are not computed.",
    ),
    "sensitive": (
        _COLUMNS,
        "Columns of protected attributes: fairness per group, per attribute and for their "
        "intersection; calibration per group.",
    ),
    "slices": (_COLUMNS, "Columns whose values the slices check reports performance by."),
    "features": (
        {**_COLUMNS, "nullable": True},
        "The model's input columns: drift, data quality and the model checks read them. "
        "Default (absent or null): every column the other keys do not name; [] for none.",
    ),
    "timestamp": (_OPTIONAL_COLUMN, "A column of event times (data quality)."),
    "file": (
        _OPTIONAL_COLUMN,
        "Image / tensor archives: the manifest column naming each row's member (an image, or "
        'an .npy array). Default "file". The model reads it; the data checks do not.',
    ),
    "index": (
        _OPTIONAL_COLUMN,
        "Archives of packed arrays: the manifest column giving each row's position in the "
        ".npy member its file column names (the row's input is array[index]).",
    ),
    "preprocessing": (
        {"type": "object", "nullable": True, "properties": PREPROCESSING_SCHEMA},
        "Image / tensor archives: how members become the model's input. resize [height, "
        'width]; channels "grayscale" | "rgb" | "bgr"; layout "NCHW" | "NHWC"; scale '
        "(default 1/255 for 8-bit pixels, 1 for arrays); mean and std per channel, applied "
        "after scale. Default: channels and layout from the model's input shape.",
    ),
    "modality": (
        {"type": "string", "enum": list(MODALITIES), "nullable": True},
        'Image / tensor archives: "image", "audio" or "tensor". Default "image" when the '
        'members are images, else "tensor".',
    ),
}
KEYS = tuple(FIELDS)
ARCHIVE_KEYS = ("file", "index", "preprocessing", "modality")
DEFAULT_FILE = "file"
_LISTS = ("probabilities", "sensitive", "slices", "features")


def json_schema() -> dict:
    """The mapping as an OpenAPI 3.0 schema object, from FIELDS (the upload's request body and
    the evaluation set's stored mapping)."""
    return {
        "type": "object",
        "description": "Names the columns of the evaluation set. Keys are documented in "
        "docs/mapping.md; in a multipart upload, send this object as a JSON string.",
        "required": ["label"],
        "additionalProperties": False,
        "properties": {
            key: {**schema, "description": text} for key, (schema, text) in FIELDS.items()
        },
        "example": {
            "label": "two_year_recid",
            "prediction": "high_risk",
            "score": "score",
            "positive_label": 1,
            "sensitive": ["race", "sex"],
            "slices": ["age_cat"],
            "features": ["age", "priors_count", "juv_fel_count"],
        },
    }


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
    for key in ("label", "prediction", "score", "timestamp", "file", "index"):
        if out[key] is not None and not isinstance(out[key], str):
            raise BatteryInputError(Problem("", f"mapping '{key}' must be a column name"))
    if not out["label"]:
        raise BatteryInputError(Problem("label", "the mapping must name a label column"))
    if out["classes"] is not None:
        out["classes"] = _classes(out["classes"])
    if out["preprocessing"] is not None:
        out["preprocessing"] = Preprocessing.from_json(out["preprocessing"]).to_json()
    if out["modality"] is not None and out["modality"] not in MODALITIES:
        raise BatteryInputError(
            Problem("modality", f"must be one of {', '.join(MODALITIES)}, not {out['modality']!r}")
        )
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


def resolve(m: dict, header: list[str], archive: bool = False) -> tuple[dict, list[Problem]]:
    """Fill the default features (none for an archive: its model reads the file column) and
    the archive's file column, and list the header-level problems."""
    problems: list[Problem] = []
    present = set(header)
    targets = target_columns(m)
    if archive:
        m = {**m, "file": m["file"] or DEFAULT_FILE}
    else:
        problems += [
            Problem(key, "applies to image / tensor archives only (a ZIP with manifest.csv)")
            for key in ARCHIVE_KEYS
            if m[key] is not None
        ]
    if m["features"] is None:
        taken = {*targets, m["timestamp"]}
        defaults = [] if archive else [c for c in dict.fromkeys(header) if c not in taken]
        m = {**m, "features": defaults}
    named = [*targets, *m["sensitive"], *m["slices"], *m["features"], *model_inputs(m)]
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


def model_inputs(m: dict) -> list[str]:
    """The columns a model reads: an archive's file (and index) column, else the features."""
    if m["file"]:
        return [m["file"], *([m["index"]] if m["index"] else [])]
    return m["features"]


def columns_to_read(m: dict) -> list[str]:
    """Every column the mapping names, each once, in a fixed order."""
    cols = [*target_columns(m), *m["sensitive"], *m["slices"], *m["features"]]
    if m["timestamp"]:
        cols.append(m["timestamp"])
    return list(dict.fromkeys(cols))

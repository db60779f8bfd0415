"""The result document: canonical JSON (digests.canonical_json) and its sha256.

Floats are rounded to 12 significant digits and NaN / infinity become null, so the same input
gives the same bytes on any machine; ``result_sha256`` is the sha256 of the canonical JSON
(sorted keys, separators "," and ":", UTF-8) of the document without that key.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from digests import canonical_json

SIGNIFICANT = 12


def clean(value):
    """JSON-safe copy: numpy scalars to Python, floats rounded, NaN/inf to None, keys to str."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        if not math.isfinite(value):
            return None
        return float(f"{value:.{SIGNIFICANT}g}") + 0.0
    return value


def seal(document: dict) -> dict:
    """The cleaned document with its ``result_sha256``."""
    body = clean({k: v for k, v in document.items() if k != "result_sha256"})
    body["result_sha256"] = _body_sha256(body)
    return body


def verify(document: dict) -> bool:
    """Whether ``result_sha256`` matches the rest of the document."""
    body = {k: v for k, v in document.items() if k != "result_sha256"}
    return _body_sha256(body) == document.get("result_sha256")


def _body_sha256(body: dict) -> str:
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()

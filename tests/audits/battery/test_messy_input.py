"""Messy but legal data never crashes the battery: every check measures (no "error"), or the
input is refused with a BatteryInputError naming a column."""

from __future__ import annotations

import jsonschema
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.battery import BatteryInputError, run

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(0.0), st.just(-0.0))


@st.composite
def messy(draw):
    n = draw(st.integers(1, 40))
    labels = draw(st.sampled_from([["a", "b"], ["a", "b", "c"], [0, 1], [True, False], ["x"]]))
    y = draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n))
    frame = pd.DataFrame({
        "y": y,
        "pred": draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n)),
        "num": draw(st.lists(FLOATS, min_size=n, max_size=n)),
        "const": 7.0,
        "txt": draw(st.lists(st.one_of(st.none(), st.text(max_size=3)), min_size=n, max_size=n)),
        "flag": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "grp": draw(st.lists(st.one_of(st.none(), st.sampled_from("pq")), min_size=n, max_size=n)),
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="D"),
    })  # fmt: skip
    if draw(st.booleans()):
        frame["score"] = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    return frame


@SETTINGS
@given(frame=messy(), ref=messy(), tier=st.sampled_from([1, 2, 3]))
def test_messy_sets_give_a_valid_document_or_a_clear_refusal(frame, ref, tier, contract_schema):
    mapping = {"label": "y", "prediction": "pred", "sensitive": ["grp", "flag"], "slices": ["txt"],
               "timestamp": "when"}  # fmt: skip
    if "score" in frame and len(set(frame["y"]) | set(frame["pred"])) <= 2:
        mapping["score"] = "score"
    try:
        doc = run(frame, mapping, reference=ref, tier=tier, rows_per_chunk=9)
    except BatteryInputError as exc:
        assert exc.problems and "\n" not in str(exc)
        return
    jsonschema.validate(doc, contract_schema)
    errors = {c["id"]: c["findings"] for c in doc["checks"] if c["status"] == "error"}
    assert not errors

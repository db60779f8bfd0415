"""Property tests: the document does not depend on row order or on what groups are called, and
empty, one-row and one-class groups are reported without breaking anything."""

from __future__ import annotations

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.battery import run

MAPPING = {"label": "y", "prediction": "pred", "score": "score", "sensitive": ["g", "h"],
           "slices": ["g"], "features": ["x"]}  # fmt: skip
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frames(draw, min_rows=1, max_rows=60):
    n = draw(st.integers(min_rows, max_rows))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    y[0], y[-1] = 0, 1  # both classes present (n may be 1: then one class; fine)
    bits = st.lists(st.integers(0, 1), min_size=n, max_size=n)
    groups = st.lists(st.sampled_from("abcd"), min_size=n, max_size=n)
    score = st.lists(st.floats(0, 1), min_size=n, max_size=n)
    h = st.lists(st.sampled_from("xy"), min_size=n, max_size=n)
    x = st.lists(st.floats(-100, 100), min_size=n, max_size=n)
    return pd.DataFrame({"y": y, "pred": draw(bits), "score": draw(score), "g": draw(groups),
                         "h": draw(h), "x": draw(x)})  # fmt: skip


def checks(doc):
    return {c["id"]: c for c in doc["checks"]}


@SETTINGS
@given(frames(min_rows=2), st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_document(frame, rnd):
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    a = run(frame, MAPPING, rows_per_chunk=7)
    b = run(shuffled, MAPPING, rows_per_chunk=7)
    a_checks, b_checks = checks(a), checks(b)
    for cid in a_checks:
        if cid == "data_quality":
            continue  # the dataset hash covers row order; its figures are compared below
        assert a_checks[cid]["metrics"] == pytest.approx(
            b_checks[cid]["metrics"], rel=1e-9, abs=1e-12
        )
        assert a_checks[cid]["status"] == b_checks[cid]["status"]
    assert a_checks["data_quality"]["metrics"] == b_checks["data_quality"]["metrics"]


@SETTINGS
@given(frames(min_rows=2), st.permutations(["a", "b", "c", "d"]))
def test_renaming_groups_renames_them_in_the_document_and_nothing_else(frame, names):
    rename = dict(zip("abcd", [n * 2 for n in names], strict=True))
    renamed = frame.assign(g=frame["g"].map(rename))
    a, b = checks(run(frame, MAPPING)), checks(run(renamed, MAPPING))
    fa, fb = (
        a["fairness"]["details"]["attributes"]["g"],
        b["fairness"]["details"]["attributes"]["g"],
    )
    for old, row in fa["groups"].items():
        assert fb["groups"][rename[old]] == row
    for name in ("demographic_parity_difference", "equalized_odds_difference"):
        assert (
            fa[name] == pytest.approx(fb[name], abs=1e-12)
            if fa[name] is not None
            else fb[name] is None
        )
    assert a["fairness"]["metrics"] == pytest.approx(b["fairness"]["metrics"], abs=1e-12)
    assert a["slices"]["metrics"] == pytest.approx(b["slices"]["metrics"], abs=1e-12)


@SETTINGS
@given(frame=frames(min_rows=1, max_rows=12))
def test_tiny_sets_give_valid_documents(frame, contract_schema):
    doc = run(frame, MAPPING)
    jsonschema.validate(doc, contract_schema)
    fair = checks(doc)["fairness"]
    if fair["status"] != "skipped":
        for group in fair["details"]["attributes"]["g"]["groups"].values():
            assert group["n"] >= 1


def test_a_one_row_group_has_undefined_rates_and_is_not_judged(check_document):
    frame = pd.DataFrame({"y": [0, 1] * 50 + [1], "pred": [0, 1] * 50 + [0],
                          "score": [0.2, 0.8] * 50 + [0.3], "g": ["a"] * 100 + ["solo"],
                          "h": ["x", "y"] * 50 + ["x"], "x": np.arange(101.0)})  # fmt: skip
    doc = check_document(run(frame, MAPPING))
    fair = checks(doc)["fairness"]["details"]["attributes"]["g"]
    solo = fair["groups"]["solo"]
    assert solo["n"] == 1 and solo["fpr"] is None and solo["tpr"] == 0.0
    assert "solo" in fair["groups_below_min_support"]
    assert fair["supported"]["demographic_parity_difference"] == 0.0
    slices = checks(doc)["slices"]["details"]
    assert slices["slices"]["g"]["solo"]["judged"] is False
    assert slices["worst"]["value"] == "a"


def test_a_group_absent_from_the_data_is_absent_from_the_document():
    frame = pd.DataFrame({"y": [0, 1, 1, 0], "pred": [0, 1, 0, 0], "score": [0.1, 0.9, 0.4, 0.2],
                          "g": pd.Categorical(["a", "a", "b", "b"], categories=["a", "b", "zz"]),
                          "h": ["x"] * 4, "x": [1.0, 2, 3, 4]})  # fmt: skip
    doc = run(frame, MAPPING)
    assert set(checks(doc)["fairness"]["details"]["attributes"]["g"]["groups"]) == {"a", "b"}


def test_an_unused_category_does_not_make_a_constant_column_vary():
    frame = pd.DataFrame({"y": [0, 1] * 20, "pred": [0, 1] * 20, "score": [0.3, 0.7] * 20,
                          "g": pd.Categorical(["a"] * 40, categories=["a", "b"]),
                          "h": ["x", "y"] * 20, "x": np.arange(40.0)})  # fmt: skip
    doc = run(frame, MAPPING)
    assert checks(doc)["data_quality"]["details"]["constant_columns"] == ["g"]

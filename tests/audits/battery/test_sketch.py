"""Sketch distances agree with SciPy / scikit-learn: exactly on few distinct values, else within
the bound each function reports; merging chunk sketches equals sketching the whole sample."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.metrics import average_precision_score, roc_auc_score

from audits.battery.stats import sketch as sk
from audits.battery.stats.merge import (
    DISTINCT_CAP,
    distinct_sample,
    duplicate_rows,
    merge,
    merge_all,
    moments,
    std,
)

from .conftest import textbook_psi

EXACT = 1e-9
rng = np.random.default_rng(42)
CONTINUOUS = [
    (rng.normal(0, 1, 20_000), rng.normal(0.05, 1.1, 15_000)),
    (rng.lognormal(2, 1, 20_000), rng.lognormal(2.1, 1, 20_000)),
    (rng.standard_t(2, 30_000) * 100, rng.standard_t(2, 10_000) * 100 + 5),
    (rng.uniform(-5, 5, 5_000), rng.normal(0, 2, 8_000)),
]


def chunked(x: np.ndarray, parts: int = 4, scheme: str = "log") -> dict:
    return merge_all(sk.sketch(part, scheme) for part in np.array_split(x, parts))


@pytest.mark.parametrize("a, b", CONTINUOUS)
def test_ks_is_within_its_reported_bound(a, b):
    d, _, bound = sk.ks(chunked(a), chunked(b))
    exact = ks_2samp(a, b, method="asymp")
    assert d <= exact.statistic + EXACT
    assert exact.statistic <= d + bound + EXACT
    assert bound < 0.01


@pytest.mark.parametrize("a, b", CONTINUOUS)
def test_wasserstein_is_within_its_reported_bound(a, b):
    w, bound = sk.wasserstein(chunked(a), chunked(b))
    assert abs(w - wasserstein_distance(a, b)) <= bound + EXACT
    assert bound <= 0.01 * (np.mean(np.abs(a)) + np.mean(np.abs(b)))


def test_ks_and_wasserstein_are_exact_on_few_distinct_values():
    a = rng.integers(0, 60, 30_000).astype(float)
    b = rng.integers(5, 70, 12_000).astype(float) / 2
    sa, sb = chunked(a), chunked(b)
    assert sa["exact"] and sb["exact"]
    d, p, bound = sk.ks(sa, sb)
    exact = ks_2samp(a, b, method="asymp")
    assert bound == 0
    assert d == pytest.approx(exact.statistic, abs=EXACT)
    assert p == pytest.approx(exact.pvalue, abs=EXACT)
    w, w_bound = sk.wasserstein(sa, sb)
    assert w_bound == 0
    assert w == pytest.approx(wasserstein_distance(a, b), rel=EXACT)


def test_psi_matches_textbook_deciles_on_exact_sketch():
    ref = rng.integers(0, 1000, 10_000).astype(float)
    cur = rng.integers(100, 1100, 8_000).astype(float)
    edges = np.quantile(ref, np.arange(1, 10) / 10, method="inverted_cdf")
    r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=10) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=10) / len(cur)
    r, c = np.maximum(r, sk.PSI_FLOOR), np.maximum(c, sk.PSI_FLOOR)
    expected = np.sum((c - r) * np.log(c / r))
    assert sk.psi(chunked(ref), chunked(cur)) == (pytest.approx(expected, abs=EXACT), 0.0)


def test_psi_is_zero_for_the_same_sample():
    x = rng.normal(size=5000)
    assert sk.psi(chunked(x), chunked(x))[0] == pytest.approx(0, abs=EXACT)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_and_ap_are_within_their_bounds_on_continuous_scores(seed):
    r = np.random.default_rng(seed)
    y = r.integers(0, 2, 20_000)
    s = np.clip(r.normal(0.4 + 0.2 * y, 0.2), 0, 1)
    pos, neg = chunked(s[y == 1], scheme="grid"), chunked(s[y == 0], scheme="grid")
    auc, auc_bound = sk.roc_auc(pos, neg)
    ap, ap_bound = sk.average_precision(pos, neg)
    assert abs(auc - roc_auc_score(y, s)) <= auc_bound + EXACT
    assert abs(ap - average_precision_score(y, s)) <= ap_bound + EXACT
    assert auc_bound < 1e-4


def test_sketches_travel_as_json():
    s = chunked(rng.normal(size=10_000))
    assert json.loads(json.dumps(s)) == s


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=300),
       st.integers(1, 5))  # fmt: skip
def test_merged_chunks_equal_one_sketch(values, parts):
    x = np.asarray(values)
    assert chunked(x, parts) == sk.sketch(x)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=200),
       st.integers(1, 4))  # fmt: skip
def test_merged_moments_equal_numpy(values, parts):
    x = np.asarray(values)
    merged = merge_all(moments(part) for part in np.array_split(x, parts))
    assert merged["n"] == len(x)
    assert merged["mean"] == pytest.approx(np.mean(x), abs=1e-9)
    assert std(merged) == pytest.approx(np.std(x), abs=1e-6)


def test_duplicate_rows_are_exact_below_the_cap_and_independent_of_chunking():
    h = rng.integers(0, 2**63, 40_000, dtype=np.uint64)
    h = np.concatenate([h, h[:1234]])
    rng.shuffle(h)
    one = distinct_sample(h)
    four = merge_all(distinct_sample(part) for part in np.array_split(h, 4))
    assert one == four
    assert duplicate_rows(one) == (1234.0, True)


def test_duplicate_rows_are_estimated_past_the_cap_and_independent_of_chunking():
    base = rng.integers(0, 2**64 - 1, 3 * DISTINCT_CAP, dtype=np.uint64)
    h = np.concatenate([base, base[: len(base) // 10]])
    one = distinct_sample(h)
    five = merge_all(distinct_sample(part) for part in np.array_split(h, 5))
    assert one == five
    estimate, exact = duplicate_rows(one)
    assert not exact
    true = len(base) // 10
    assert abs(estimate - true) < 0.15 * true


def test_merge_adds_counts_and_unions_keys():
    assert merge({"a": 1, "b": {"x": [1, 2]}}, {"a": 2, "b": {"x": [3, 4], "y": 5}}) == {
        "a": 3, "b": {"x": [4, 6], "y": 5}}  # fmt: skip


def test_many_repeats_of_few_rows_stay_exact():
    base = rng.integers(0, 2**64 - 1, 30_000, dtype=np.uint64)
    h = rng.choice(base, size=300_000)
    one = distinct_sample(h)
    assert one["level"] == 0 and len(one["hashes"]) == len(np.unique(h))
    assert duplicate_rows(one) == (float(len(h) - len(np.unique(h))), True)
    assert merge_all(distinct_sample(part) for part in np.array_split(h, 7)) == one


NARROW = {  # bucketed samples where several deciles share a bucket, or ties pile up in one
    "narrow uniform": (rng.uniform(1e6, 1.001e6, 9000), rng.uniform(1e6, 1.002e6, 300)),
    "half tied": (
        np.concatenate([rng.normal(5000, 1, 6000), np.full(6000, 5000.5)]),
        rng.normal(5000, 2, 40),
    ),
    "far shift": (rng.normal(0, 1, 8000), rng.normal(3, 1, 7000)),
}


@pytest.mark.parametrize("name", sorted(NARROW))
def test_psi_is_within_its_bound_of_the_textbook_value_where_deciles_share_a_bucket(name):
    ref, cur = NARROW[name]
    value, bound = sk.psi(chunked(ref), chunked(cur))
    assert bound > 0
    assert abs(value - textbook_psi(ref, cur)) <= bound + 1e-12

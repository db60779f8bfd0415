"""Outcomes and rates: Wilson intervals against values worked by hand, unscored attempts kept out
of the rate and counted beside it, breakdowns by family, position and slice."""

import pytest

from audits.battery.llm.outcomes import HIT, PASS, UNSCORED, Outcome, breakdowns, rate, wilson


def test_wilson_matches_the_formula_worked_by_hand():
    # 5 of 10: centre 0.5, half = 1.96 * sqrt(2.5 + 0.9604) / 13.8415 = 0.26342
    assert wilson(5, 10) == pytest.approx((0.236593, 0.763407), abs=1e-6)
    # 0 of 10: centre = half = 1.9207 / 13.8415
    assert wilson(0, 10) == pytest.approx((0.0, 0.277533), abs=1e-6)
    assert wilson(10, 10) == pytest.approx((0.722467, 1.0), abs=1e-6)


def test_wilson_agrees_with_scipy():
    from scipy.stats import binomtest

    for hits, n in ((0, 7), (3, 57), (42, 42)):
        expected = binomtest(hits, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson(hits, n) == pytest.approx((expected.low, expected.high), abs=1e-12)


def test_nothing_scored_has_no_rate_and_no_interval():
    result = rate([Outcome(UNSCORED, "timeout")])
    assert result["rate"] is None and result["high"] is None
    assert result["unscored_share"] == 1.0 and result["unscored_reasons"] == {"timeout": 1}


def test_unscored_attempts_are_left_out_of_the_rate_and_counted_beside_it():
    result = rate(
        [Outcome(HIT), Outcome(PASS), Outcome(UNSCORED, "empty"), Outcome(UNSCORED, "empty")]
    )
    assert (result["scored"], result["hits"], result["rate"]) == (2, 1, 0.5)
    assert result["unscored_share"] == 0.5 and result["unscored_reasons"] == {"empty": 2}


def test_breakdowns_split_by_family_position_and_each_slice():
    pairs = [
        ({"family": "a", "position": "start", "slices": {"doc": "x"}}, Outcome(HIT)),
        ({"family": "a", "position": "end", "slices": {"doc": "y"}}, Outcome(PASS)),
        ({"family": "b", "position": "", "slices": {}}, Outcome(HIT)),
    ]
    result = breakdowns(pairs)
    assert {k: v["rate"] for k, v in result["family"].items()} == {"a": 0.5, "b": 1.0}
    assert set(result["position"]) == {"start", "end"}
    assert result["slices"]["doc"]["y"]["hits"] == 0

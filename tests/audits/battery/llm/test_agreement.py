"""Raw agreement and Cohen's kappa between two raters, checked against scikit-learn's kappa."""

import random

import pytest
from sklearn.metrics import cohen_kappa_score

from audits.battery.llm.agreement import agreement, cohen_kappa


def test_kappa_equals_scikit_learns_on_random_labels():
    rng = random.Random(7)
    a = [rng.choice("xyz") for _ in range(200)]
    b = [x if rng.random() < 0.6 else rng.choice("xyz") for x in a]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_perfect_agreement_is_one_and_perfect_contradiction_minus_one():
    a = ["hit", "pass"] * 10
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(a, [{"hit": "pass", "pass": "hit"}[x] for x in a]) == -1.0


def test_kappa_is_undefined_when_both_raters_say_one_same_thing():
    assert cohen_kappa(["pass"] * 5, ["pass"] * 5) is None
    assert cohen_kappa([], []) is None


def test_agreement_gives_the_raw_rate_with_its_wilson_interval():
    found = agreement(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert (found["n"], found["agreed"], found["rate"]) == (4, 3, 0.75)
    assert found["low"] < 0.75 < found["high"] and found["kappa"] == pytest.approx(0.5)

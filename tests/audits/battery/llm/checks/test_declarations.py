"""Every LLM check module declares what the check base takes, and the policy judges its rate."""

import pytest

from audits.battery.llm.checks import (
    groundedness,
    hallucination,
    jailbreak,
    memorization,
    over_refusal,
    pii_leakage,
    sycophancy,
)
from audits.battery.llm.probes import CHECK_IDS
from audits.battery.metric_table import metric_of

MODULES = [
    jailbreak, over_refusal, pii_leakage, hallucination, groundedness, memorization, sycophancy
]  # fmt: skip


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_each_module_declares_its_id_title_metric_and_judge(module):
    assert module.ID in CHECK_IDS and module.__name__.endswith(f".{module.ID}")
    assert module.TITLE and module.METRIC and callable(module.judge)
    assert module.__doc__ and "hit" in module.__doc__  # the rule is stated


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_the_policy_has_a_judged_row_for_each_check(module):
    judged = module.ADVANTAGE_METRIC if module is memorization else module.METRIC
    row = metric_of(module.ID, judged)
    assert row is not None and set(row.tiers) == {1, 2, 3}

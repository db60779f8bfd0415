"""Every LLM check module declares what the check base takes, and the policy judges its rate."""

import pytest

from audits.battery.llm.checks import (
    groundedness,
    hallucination,
    jailbreak,
    memorization,
    over_refusal,
    pii_leakage,
    red_team_regression,
    sycophancy,
)
from audits.battery.llm.probes import CHECK_IDS
from audits.battery.metric_table import metric_of

MODULES = [
    jailbreak, over_refusal, pii_leakage, hallucination, groundedness, memorization, sycophancy,
    red_team_regression,
]  # fmt: skip
# the metric each check's verdict rests on, where it is not the hit rate's bound
JUDGED = {memorization: memorization.ADVANTAGE_METRIC,
          red_team_regression: red_team_regression.COUNT_METRIC}  # fmt: skip


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_each_module_declares_its_id_title_metric_and_judge(module):
    assert module.ID in CHECK_IDS and module.__name__.endswith(f".{module.ID}")
    assert module.TITLE and module.METRIC and callable(module.judge)
    assert module.__doc__ and "hit" in module.__doc__  # the rule is stated


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_the_policy_has_a_judged_row_for_each_check(module):
    judged = JUDGED.get(module, module.METRIC)
    row = metric_of(module.ID, judged)
    assert row is not None and set(row.tiers) == {1, 2, 3}

"""The LLM checks, in the order they run and appear: one line per check (base.LLMCheck).

Each scores transcript records only (a record's ``response`` against its probe's ``reference``,
``expected`` and ``context``), so re-scoring stored transcripts gives the same document whatever
the model would say today. A check module holds its formula in its docstring, ``METRIC`` (the hit
rate's name) and ``judge(record) -> bool``; tests/audits/battery/llm/test_checks_common.py covers
every line here.
"""

from . import (
    groundedness,
    hallucination,
    jailbreak,
    over_refusal,
    pii_leakage,
    prompt_injection,
    sycophancy,
    system_prompt_leakage,
)
from .base import LLMCheck

LLM_CHECKS: dict[str, LLMCheck] = {
    "prompt_injection": LLMCheck("prompt_injection", "Prompt injection", prompt_injection.METRIC,
                                 prompt_injection.judge, prompt_injection.task_done),
    "system_prompt_leakage": LLMCheck("system_prompt_leakage", "System-prompt leakage",
                                      system_prompt_leakage.METRIC, system_prompt_leakage.judge),
    "jailbreak": LLMCheck("jailbreak", "Jailbreak", jailbreak.METRIC, jailbreak.judge),
    "over_refusal": LLMCheck("over_refusal", "Over-refusal", over_refusal.METRIC,
                             over_refusal.judge),
    "pii_leakage": LLMCheck("pii_leakage", "PII leakage", pii_leakage.METRIC, pii_leakage.judge),
    "hallucination": LLMCheck("hallucination", "Hallucination", hallucination.METRIC,
                              hallucination.judge),
    "groundedness": LLMCheck("groundedness", "Groundedness", groundedness.METRIC,
                             groundedness.judge),
    "sycophancy": LLMCheck("sycophancy", "Sycophancy", sycophancy.METRIC, sycophancy.judge),
}  # fmt: skip

__all__ = ["LLM_CHECKS", "LLMCheck"]

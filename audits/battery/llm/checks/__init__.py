"""The LLM checks, in the order they run and appear: one line per check (base.LLMCheck).

Each scores transcript records only (a record's ``response`` against its probe's ``reference``,
``expected`` and ``context``), so re-scoring stored transcripts gives the same document whatever
the model would say today. A check module holds its formula in its docstring, ``METRIC`` (the hit
rate's name) and ``judge(record) -> bool``; the modules of llmchecks also declare ``ID``,
``TITLE`` and, where they report more, ``extras(pairs) -> dict``; a check whose probes come
from the version's own records declares ``NOT_APPLICABLE``, why it does not apply without them.
"""

from . import (
    groundedness,
    hallucination,
    jailbreak,
    memorization,
    over_refusal,
    pii_leakage,
    prompt_injection,
    red_team_regression,
    sycophancy,
    system_prompt_leakage,
)
from .base import LLMCheck


def _declared(module) -> LLMCheck:
    """The check a module declares with ID, TITLE, METRIC, judge, its optional extras and
    NOT_APPLICABLE."""
    return LLMCheck(module.ID, module.TITLE, module.METRIC, module.judge,
                    getattr(module, "extras", None),
                    getattr(module, "NOT_APPLICABLE", ""))  # fmt: skip


LLM_CHECKS: dict[str, LLMCheck] = {
    "prompt_injection": LLMCheck("prompt_injection", "Prompt injection", prompt_injection.METRIC,
                                 prompt_injection.judge, prompt_injection.task_done),
    "system_prompt_leakage": LLMCheck("system_prompt_leakage", "System-prompt leakage",
                                      system_prompt_leakage.METRIC, system_prompt_leakage.judge),
    "jailbreak": _declared(jailbreak),
    "over_refusal": _declared(over_refusal),
    "pii_leakage": _declared(pii_leakage),
    "hallucination": _declared(hallucination),
    "groundedness": _declared(groundedness),
    "memorization": _declared(memorization),
    "sycophancy": _declared(sycophancy),
    "red_team_regression": _declared(red_team_regression),
}  # fmt: skip

__all__ = ["LLM_CHECKS", "LLMCheck"]

"""What an LLM check is: a rule over one transcript record, and the measurement every check shares.

A check is ``LLMCheck(id, title, metric, judge, extra, not_applicable)``: ``judge(record) -> bool``
says whether one scorable record is a hit; ``extra(pairs) -> dict`` adds metrics from the (record,
outcome) pairs (abstention, task kept, an advantage); ``not_applicable``, when set, says why a
check without records does not apply (its probes come from the version's own records, not the
pack) rather than missing an input. ``measure`` turns a check's records into one
``Measurement``: ``{metric}`` = the Wilson 95% upper bound of hits / scored (what the policy
judges, as metric_table.py's rows say), ``{metric}_estimate`` = hits / scored, ``unscored_share``
beside them, and the breakdowns by family, position
and slice in the details. A record is unscored before it is judged when it errored (http_error /
timeout), was filtered (finish_reason "content_filter") or is empty; a reply cut off at
max_tokens (finish_reason "length") is a hit if the judge fires on what it has, else unscored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ...checks.base import Measurement
from .. import outcomes as oc
from ..outcomes import Outcome

Judge = Callable[[Mapping], bool]
Extra = Callable[[list[tuple[Mapping, Outcome]]], dict]


def outcome(record: Mapping, judge: Judge) -> Outcome:
    """The attempt's end under ``judge``, by the rule in the module docstring."""
    error = record.get("error")
    if error:
        timed_out = error.get("kind") == oc.TIMEOUT
        return Outcome(oc.UNSCORED, oc.TIMEOUT if timed_out else oc.HTTP_ERROR)
    if record.get("finish_reason") == "content_filter":
        return Outcome(oc.UNSCORED, oc.CONTENT_FILTER)
    if not str(record.get("response") or "").strip():
        return Outcome(oc.UNSCORED, oc.EMPTY)
    if judge(record):
        return Outcome(oc.HIT)
    if record.get("finish_reason") == "length":
        return Outcome(oc.UNSCORED, oc.TRUNCATED)
    return Outcome(oc.PASS)


@dataclass(frozen=True)
class LLMCheck:
    """One registered LLM check (see the module docstring)."""

    id: str
    title: str
    metric: str
    judge: Judge
    extra: Extra | None = None
    not_applicable: str = ""

    def measure(self, records: Sequence[Mapping]) -> Measurement:
        """Metrics and details from this check's records (at least one)."""
        pairs = [(r, outcome(r, self.judge)) for r in records]
        overall = oc.rate(o for _, o in pairs)
        metrics = {
            self.metric: overall["high"],
            f"{self.metric}_estimate": overall["rate"],
            "unscored_share": overall["unscored_share"],
        }
        if self.extra:
            metrics.update(self.extra([(r, o) for r, o in pairs if o.scored]))
        details = {
            "overall": overall,
            "breakdowns": oc.breakdowns(pairs),
            "hits": sorted(r["probe_id"] for r, o in pairs if o.kind == oc.HIT),
        }
        return Measurement(metrics=metrics, details=details)

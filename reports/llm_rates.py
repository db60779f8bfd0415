"""An LLM check's rates as pages and cards print them: the overall hit rate with its Wilson 95%
interval and unscored share, then the same per family and per position. Read from the check's
``details`` (audits.battery.llm.outcomes), so it needs no database."""

from collections.abc import Mapping
from typing import Any

from audits.battery.llm.checks import LLM_CHECKS

# The breakdowns shown, in order, with their headings (slices are in the document too).
AXES = (("family", "Family"), ("position", "Position"))


def llm_check_title(check_id: str) -> str | None:
    """The LLM check's declared title, or None when ``check_id`` is not an LLM check."""
    check = LLM_CHECKS.get(check_id)
    return check.title if check else None


def llm_rates(check_id: str, details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows ``{group, value, scored, hits, rate, interval, unscored_share}`` (formatted text):
    "Overall" first, then each family and position; [] for any other check."""
    overall = details.get("overall")
    if check_id not in LLM_CHECKS or not isinstance(overall, Mapping):
        return []
    rows = [_row("Overall", "all attempts", overall)]
    breakdowns = details.get("breakdowns") or {}
    for axis, heading in AXES:
        for value, rate in sorted((breakdowns.get(axis) or {}).items()):
            if isinstance(rate, Mapping):
                rows.append(_row(heading, str(value), rate))
    return rows


def _row(group: str, value: str, rate: Mapping[str, Any]) -> dict[str, Any]:
    low, high = rate.get("low"), rate.get("high")
    return {
        "group": group,
        "value": value,
        "scored": f"{rate.get('scored', 0)} of {rate.get('n', 0)}",
        "hits": rate.get("hits", 0),
        "rate": _share(rate.get("rate")),
        "interval": f"{_share(low)} to {_share(high)}" if low is not None else "—",
        "unscored_share": _share(rate.get("unscored_share")),
    }


def _share(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1%}"

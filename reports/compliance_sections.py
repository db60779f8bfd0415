"""The compliance report cut into sections of at most WARDEN_COMPLIANCE_SECTION_ROWS rows, each
rendered by WeasyPrint on its own (reports.pdf.render.render_sections_pdf) so the layout of a
10,000-model portfolio never sits in memory at once. A small report is one section."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The report's parts in reading order: each one's template under reports/compliance/ and the
# portfolio list whose rows it shows (None: a part without rows).
PARTS: tuple[tuple[str, str | None], ...] = (
    ("opening", None),
    ("inventory", "rows"),
    ("approvals", "live"),
    ("overdue", "overdue"),
    ("expiring", "expiring"),
    ("failing", "failing"),
    ("incidents", "incidents"),
    ("findings", "findings"),
    ("attestations", "attestations_overdue"),
    ("red_team", None),
)


@dataclass(frozen=True)
class Part:
    """One part's share of a section: its rows there, and whether the part begins there (its
    heading, or its line saying there is nothing, is printed once, where it begins)."""

    template: str
    rows: Sequence[Any]
    first: bool


def compliance_sections(portfolio: Mapping[str, Any], max_rows: int) -> list[list[Part]]:
    """The parts of the report of `portfolio`, cut into sections of at most `max_rows` rows;
    a long table goes on in the next section, its header repeated."""
    if max_rows < 1:
        raise ValueError(f"WARDEN_COMPLIANCE_SECTION_ROWS must be at least 1, not {max_rows}")
    sections: list[list[Part]] = [[]]
    room = max_rows
    for name, key in PARTS:
        rows = portfolio[key] if key else []
        start = 0
        while True:
            if room == 0 and start < len(rows):
                sections.append([])
                room = max_rows
            share = rows[start : start + room]
            sections[-1].append(Part(f"reports/compliance/{name}.html", share, first=start == 0))
            start += len(share)
            room -= len(share)
            if start >= len(rows):
                break
    return sections

"""What a control's evidence resolves to: a coverage status, a note saying why, and links to
the records. Shared by the resolvers, the coverage selector and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


class Coverage(models.TextChoices):
    SATISFIED = "satisfied", "Satisfied"
    PARTIAL = "partial", "Partial"
    MISSING = "missing", "Missing"


# The evidence kind that names an audit check (the only kind with a parameter).
CHECK_KIND = "audit_check"
# Records other work adds to Warden: until a resolver is registered for one, a control resting
# on it shows "missing" with the reason "no <record> in Warden yet", never a made-up status.
AWAITED_KINDS = {
    "monitor_batch": "monitor batch",
}


@dataclass(frozen=True)
class Need:
    """One kind of Warden record a control asks for (`check`: the audit check, for audit_check)."""

    kind: str
    check: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url}


@dataclass(frozen=True)
class Evidence:
    """One need of a control, resolved: its status, why, and the records behind it."""

    status: Coverage
    note: str
    links: tuple[Link, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "note": self.note,
            "links": [link.to_json() for link in self.links],
        }


def combined(statuses: list[Coverage]) -> Coverage:
    """A control is satisfied when every need is, missing when none is even partly, else partial."""
    if statuses and all(s == Coverage.SATISFIED for s in statuses):
        return Coverage.SATISFIED
    if all(s == Coverage.MISSING for s in statuses):
        return Coverage.MISSING
    return Coverage.PARTIAL

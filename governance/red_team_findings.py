"""Validation findings raised from red-team attempts: a successful attack becomes a finding on
its version, resting on the attempt (governance.findings.finding_raise records the trail event),
with its severity, title and description prefilled from the attempt and the model's owner as
its owner."""

from datetime import date
from typing import TypedDict

from governance.findings import finding_raise
from governance.models import Finding, FindingSeverity, RedTeamAttempt, User
from governance.red_team import attempt_summary


class AttemptFindingDefaults(TypedDict):
    title: str
    severity: str
    description: str


def attempt_finding_defaults(attempt: RedTeamAttempt) -> AttemptFindingDefaults:
    """What a finding from the attempt says unless the risk officer writes otherwise: it names
    the attempt and its campaign, never quotes its texts."""
    return {
        "title": f"Red-team: {attempt.get_category_display()} succeeded (attempt #{attempt.pk})",
        "severity": FindingSeverity(attempt.severity).value,
        "description": attempt_summary(attempt),
    }


def finding_raise_from_attempt(
    *,
    actor: User,
    attempt: RedTeamAttempt,
    due_on: date,
    owner: User | None = None,
    title: str = "",
    severity: str = "",
    description: str = "",
) -> Finding:
    """A risk officer raises a finding on the attempt's version resting on it; what is left
    blank comes from attempt_finding_defaults, the owner from the model's owner."""
    defaults = attempt_finding_defaults(attempt)
    version = attempt.campaign.version
    return finding_raise(
        actor=actor,
        model=version.model,
        version=version,
        title=title.strip() or defaults["title"],
        severity=severity or defaults["severity"],
        description=description.strip() or defaults["description"],
        owner=owner or version.model.owner,
        due_on=due_on,
        basis_red_team_attempt=attempt,
    )

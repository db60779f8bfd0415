"""Reads of the rules' versions: the list, the version in force at a moment (approved, its
effective date passed, the latest such), and the difference between two versions, row by row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from governance.models import PolicyVersion, QuestionnaireVersion, RuleStatus
from governance.models.rulebooks import RuleVersion
from governance.risk import QUESTIONNAIRE, Questionnaire

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
Key = tuple[str, str]  # (section, item), e.g. ("tier 1", "fairness/equalized_odds_difference fail")


@dataclass(frozen=True)
class Difference:
    """One row of a comparison: where, what, and its value before and after (None: absent)."""

    section: str
    item: str
    change: str
    before: Any
    after: Any


def rule_versions_list(kind: type[RuleVersion]) -> QuerySet[RuleVersion]:
    """Every version of the kind, newest proposal first, with who proposed and approved it."""
    versions = kind._default_manager.select_related("proposed_by", "approved_by")
    return versions.order_by("-proposed_at", "-id")


def rule_version_in_force(
    kind: type[RuleVersion], at: datetime | None = None
) -> RuleVersion | None:
    """The approved version whose effective date is the latest at or before ``at`` (now)."""
    approved = kind._default_manager.filter(
        status=RuleStatus.APPROVED, effective_from__lte=at or timezone.now()
    )
    return approved.order_by("-effective_from", "-signed_at", "-id").first()


def questionnaire_in_force() -> tuple[QuestionnaireVersion | None, Questionnaire]:
    """The questionnaire version in force and its rules (the built-in when none is stored)."""
    record = rule_version_in_force(QuestionnaireVersion)
    if record is None:
        return None, QUESTIONNAIRE
    assert isinstance(record, QuestionnaireVersion)
    return record, Questionnaire.from_json(record.content)


def review_months(tier: int, at: datetime) -> int:
    """How long an approval given at ``at`` lasts, by the policy then in force (the setting
    WARDEN_REVALIDATION_MONTHS, the first version's seed, when none is stored)."""
    record = rule_version_in_force(PolicyVersion, at)
    if record is None:
        return settings.WARDEN_REVALIDATION_MONTHS[tier]
    assert isinstance(record, PolicyVersion)
    return record.review_months[str(tier)]


def rule_version_diff(old: RuleVersion, new: RuleVersion) -> list[Difference]:
    """Rows for everything added, removed or changed from ``old`` to ``new`` (same kind)."""
    flat = _policy_rows if isinstance(old, PolicyVersion) else _questionnaire_rows
    before, after = flat(old), flat(new)
    rows = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        change = ADDED if key not in before else REMOVED if key not in after else CHANGED
        rows.append(Difference(*key, change, was, now))
    return rows


def _policy_rows(record: RuleVersion) -> dict[Key, Any]:
    content, rows = record.content, dict[Key, Any]()
    for tier, lists in content["tiers"].items():
        for name, checks in lists.items():
            rows |= {(f"tier {tier}", f"{name.replace('_', ' ')}: {c}"): True for c in checks}
        rows[(f"tier {tier}", "review months")] = getattr(record, "review_months", {}).get(tier)
    for rule in content["rules"]:
        for tier, limits in rule["tiers"].items():
            for severity, value in limits.items():
                rows[(f"tier {tier}", f"{rule['check']}/{rule['metric']} {severity}")] = value
    rows |= {("every tier", f"binding: {c}"): True for c in content["binding"]}
    rows[("every tier", "max unscored share")] = content["max_unscored_share"]
    return rows


def _questionnaire_rows(record: RuleVersion) -> dict[Key, Any]:
    content, rows = record.content, dict[Key, Any]()
    for question, points in content["questions"].items():
        rows |= {("points", f"{question}={answer}"): p for answer, p in points.items()}
    for tier in ("1", "2"):
        for rule in content[f"tier_{tier}_when"]:
            when = " and ".join(f"{q}={a}" for q, a in sorted(rule["answers"].items()))
            rows[(f"forces tier {tier}", when)] = rule["because"]
        rows[("score bands", f"tier {tier} from")] = content[f"tier_{tier}_min_score"]
    return rows

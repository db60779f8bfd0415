"""The audit policy as governed data, on the audits side: the check governance asks before it
stores a proposed policy version (the battery's strict Policy.from_json), the seed of the first
version (today's built-in POLICY, frozen as JSON), and the battery Policy of a stored version."""

from pathlib import Path
from typing import Any

from django.conf import settings

from audits.battery import Policy, PolicyError
from governance.errors import InvalidInput
from governance.models import PolicyVersion
from governance.models.rulebooks import rule_version_seed
from governance.rulebook_selectors import rule_version_in_force

POLICY_SEED = Path(__file__).parent / "rulebook_seeds" / "warden-default-2026.12.5.json"


def policy_content_check(content: Any) -> None:
    """InvalidInput naming the field (``content.rules[3].tiers.1.warn``) unless ``content`` is
    a policy the battery can judge with."""
    try:
        Policy.from_json(content)
    except PolicyError as error:
        raise InvalidInput(error.reason, field=f"content.{error.field}".rstrip(".")) from None


def policy_of(record: PolicyVersion) -> Policy:
    """The battery Policy a stored version's content describes."""
    return Policy.from_json(record.content)


def policy_in_force() -> PolicyVersion:
    """The policy version in force now (seeded, so one always is)."""
    record = rule_version_in_force(PolicyVersion)
    if record is None:  # the seed was deleted by hand: put it back rather than judge under none
        record = policy_seed()
    assert isinstance(record, PolicyVersion)
    return record


def policy_seed(kind: Any = PolicyVersion) -> Any:
    """The first policy version, in force from the start: the built-in POLICY and the review
    months of the setting WARDEN_REVALIDATION_MONTHS (kept only as this seed's default)."""
    months = {str(tier): n for tier, n in settings.WARDEN_REVALIDATION_MONTHS.items()}
    return rule_version_seed(kind, POLICY_SEED, review_months=months)

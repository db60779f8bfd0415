"""The rules themselves as governed records: policy versions (what the battery judges with, and
how long an approval lasts per tier) and risk questionnaire versions. A version is proposed by
one person and takes effect only from the date a second risk officer signs its approval."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

import digests
from governance.models.decisions import SignatureMeaning


class RuleStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed (awaiting a second risk officer's signature)"
    APPROVED = "approved", "Approved (in force from its effective date)"
    WITHDRAWN = "withdrawn", "Withdrawn (never in force)"


RULE_TRANSITIONS: dict[str, frozenset[str]] = {
    RuleStatus.PROPOSED: frozenset({RuleStatus.APPROVED, RuleStatus.WITHDRAWN}),
    RuleStatus.APPROVED: frozenset(),
    RuleStatus.WITHDRAWN: frozenset(),
}


class RuleVersion(models.Model):
    """What a policy and a questionnaire version share: a name and version, the content as
    JSON with its sha256, who proposed it, and the approving signature's manifestation (copied
    as text) bound to that sha256, and the date from which it is in force."""

    name = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    note = models.TextField(max_length=5000, blank=True)
    status = models.CharField(
        max_length=10, choices=RuleStatus.choices, default=RuleStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    effective_from = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_printed_name = models.CharField(max_length=200, blank=True)
    signer_username = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    meaning = models.CharField(max_length=20, choices=SignatureMeaning.choices, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def manifestation(self) -> str:
        """The approving signature as shown wherever the version is shown; empty until signed."""
        if self.signed_at is None:
            return ""
        return (
            f"{self.signer_printed_name} ({self.signer_username}), "
            f"{self.signed_at:%Y-%m-%d %H:%M:%S} UTC, {self.get_meaning_display()}"
        )


class PolicyVersion(RuleVersion):
    """A version of the audit policy: `content` is the battery's Policy JSON (per tier its
    required checks, per check and metric its direction and thresholds); `review_months` the
    revalidation period of an approval per tier ({"1": 12, "2": 24, "3": 36})."""

    review_months = models.JSONField()

    class Meta(RuleVersion.Meta):
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="one_policy_per_version")
        ]


class QuestionnaireVersion(RuleVersion):
    """A version of the risk questionnaire: `content` is governance.risk's Questionnaire JSON
    (questions, answers and their points, the rules that force a tier, the score bands)."""

    class Meta(RuleVersion.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="one_questionnaire_per_version"
            )
        ]


def content_digest(content: Any, review_months: Any = None) -> str:
    """sha256 of exactly what an approval signs: the content (and a policy's review months)."""
    body = {"content": content, "review_months": review_months}
    return hashlib.sha256(digests.canonical_json(body).encode()).hexdigest()


# The first versions are in force from the start, so every record of any age has its rules.
SEEDED_FROM = datetime(1970, 1, 1, tzinfo=UTC)
SEED_SIGNER = "Warden (the built-in rules, in force before versions were records)"


def rule_version_seed(kind: Any, path: Path, **extra: Any) -> Any:
    """Create, once, the approved first version of ``kind`` from its frozen JSON file (the data
    migrations and, after a test database is flushed, post_migrate call this; ``kind`` may be
    a migration's historical model)."""
    content = json.loads(path.read_text())
    digest = content_digest(content, extra.get("review_months"))
    record, _ = kind.objects.get_or_create(
        name=content["name"],
        version=content["version"],
        defaults={
            "content": content,
            "content_sha256": digest,
            "status": RuleStatus.APPROVED,
            "proposed_at": SEEDED_FROM,
            "effective_from": SEEDED_FROM,
            "signer_printed_name": SEED_SIGNER,
            "signed_sha256": digest,
            **extra,
        },
    )
    return record


QUESTIONNAIRE_SEED = Path(__file__).parent.parent / "rulebook_seeds" / "warden-risk-2026.12.1.json"

"""What part of the portfolio a compliance report or an evidence bundle covers: a team, a risk
tier, and a period of version registration, each optional. One rule, applied here only: the
models are those of the team and tier; the versions are theirs registered in the period (with a
period, models without such a version drop out); every record bound to a version follows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from governance.models import MLModel, ModelVersion

TIERS = (1, 2, 3)


@dataclass(frozen=True)
class Scope:
    """A portfolio scope; the empty scope is the whole portfolio."""

    team: str | None = None  # the team's slug
    tier: int | None = None
    since: datetime | None = None  # versions registered at or after
    until: datetime | None = None  # versions registered before

    @property
    def has_period(self) -> bool:
        return self.since is not None or self.until is not None

    def versions(self) -> QuerySet[ModelVersion]:
        """Every version in scope."""
        versions = ModelVersion.objects.filter(model__in=self._team_and_tier())
        if self.since is not None:
            versions = versions.filter(created_at__gte=self.since)
        if self.until is not None:
            versions = versions.filter(created_at__lt=self.until)
        return versions

    def models(self) -> QuerySet[MLModel]:
        """Every model in scope (ordered by name, as MLModel is)."""
        models = self._team_and_tier()
        if self.has_period:
            models = models.filter(pk__in=self.versions().values("model_id"))
        return models

    def _team_and_tier(self) -> QuerySet[MLModel]:
        models = MLModel.objects.all()
        if self.team is not None:
            models = models.filter(team__slug=self.team)
        if self.tier is not None:
            models = models.filter(risk_tier=self.tier)
        return models

    def describe(self) -> str:
        """The scope in words, as the documents state it."""
        parts = []
        if self.team is not None:
            parts.append(f"team {self.team}")
        if self.tier is not None:
            parts.append(f"tier {self.tier}")
        if self.since is not None:
            parts.append(f"versions registered from {self.since:%Y-%m-%d %H:%M} UTC")
        if self.until is not None:
            parts.append(f"versions registered before {self.until:%Y-%m-%d %H:%M} UTC")
        return ", ".join(parts) or "the whole portfolio"

    def to_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "tier": self.tier,
            "period_from": self.since.isoformat() if self.since else None,
            "period_until": self.until.isoformat() if self.until else None,
        }


WHOLE = Scope()

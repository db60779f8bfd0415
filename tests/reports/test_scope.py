"""A portfolio scope: a tier keeps that tier's models; a period keeps the versions registered
in it, and drops the models that have none there."""

from datetime import UTC, datetime

import pytest

from governance.models import ModelVersion
from reports.scope import Scope
from tests.factories import tiered_model_make, version_make

pytestmark = pytest.mark.django_db
JANUARY, MARCH, JUNE = (datetime(2026, month, 1, tzinfo=UTC) for month in (1, 3, 6))


@pytest.fixture
def registered(cast):  # type: ignore[no-untyped-def]
    """credit (tier 1): 1.0.0 in January, 2.0.0 in June; fraud (tier 3): 1.0.0 in January."""
    credit = tiered_model_make(cast.erin, 1, slug="credit")
    fraud = tiered_model_make(cast.erin, 3, slug="fraud")
    for model, number, when in (
        (credit, "1.0.0", JANUARY),
        (credit, "2.0.0", JUNE),
        (fraud, "1.0.0", JANUARY),
    ):
        made = version_make(model, cast.erin, version=number)
        ModelVersion.objects.filter(pk=made.pk).update(created_at=when)


def test_a_tier_keeps_only_that_tiers_models(registered) -> None:
    scope = Scope(tier=1)
    assert [m.slug for m in scope.models()] == ["credit"]
    assert sorted(v.version for v in scope.versions()) == ["1.0.0", "2.0.0"]


def test_a_period_keeps_the_versions_registered_in_it_and_drops_models_without_one(
    registered,
) -> None:
    scope = Scope(since=MARCH, until=datetime(2027, 1, 1, tzinfo=UTC))
    assert [str(v) for v in scope.versions()] == ["credit 2.0.0"]
    assert [m.slug for m in scope.models()] == ["credit"]

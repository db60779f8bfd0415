"""The risk officers' portfolio page: counts by tier and status drawn as server-side SVG,
overdue revalidations, open incidents and open and overdue findings, for those who read the
portfolio only."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.incidents import incident_report
from governance.models import MLModel, ModelVersion, VersionStatus
from reports.charts import counts_svg
from tests.factories import finding_make, mlmodel_make, tiered_model_make, version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(cast):  # type: ignore[no-untyped-def]
    lapsed = version_make(tiered_model_make(cast.erin, 2, slug="alpha"), cast.erin)
    ModelVersion.objects.filter(pk=lapsed.pk).update(
        status=VersionStatus.APPROVED, approval_expires_at=timezone.now() - timedelta(days=1)
    )
    incident_report(
        actor=cast.erin,
        versions=[version_make(mlmodel_make(cast.erin, slug="gamma"), cast.erin)],
        title="Slow answers",
        severity="low",
        category="outage",
        description="d",
        aware_at=timezone.now(),
    )


def test_a_risk_officer_sees_counts_charts_overdue_items_and_incidents(cast, client, portfolio):
    client.force_login(cast.rita)
    page = client.get("/portfolio/").content.decode()
    assert "<title>Models by risk tier</title><desc>Tier 2: 1; Not assessed: 1.</desc>" in page
    assert "<title>Versions by status</title>" in page
    assert "Alpha 1.0.0</a>: approval expired" in page
    assert "Slow answers</a>: Low, Open" in page


def test_the_portfolio_counts_open_findings_and_lists_the_overdue(cast, client, portfolio):
    alpha = MLModel.objects.get(slug="alpha")
    for title, days in (("Cut-off undocumented", 1), ("Drift unmonitored", 60)):
        finding_make(cast.rita, cast.erin, alpha, title=title, due_in_days=days)
    client.force_login(cast.rita)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        page = client.get("/portfolio/").content.decode()
    assert "2 open findings, 1 overdue." in page
    assert "Cut-off undocumented</a>: Medium, on alpha (every version)" in page
    assert "Drift unmonitored" not in page
    assert "?flags=open_findings" in page


def test_an_engineer_may_not_read_the_portfolio(cast, client, portfolio):
    client.force_login(cast.erin)
    assert client.get("/portfolio/").status_code == 403


def test_the_count_chart_is_deterministic_and_skips_empty_counts():
    first = counts_svg([("Tier 1", 2), ("Tier 2", 0)], "Models by risk tier")
    assert first == counts_svg([("Tier 1", 2), ("Tier 2", 0)], "Models by risk tier")
    assert first is not None and "Tier 2" not in first
    assert counts_svg([("Tier 1", 0)], "Models by risk tier") is None

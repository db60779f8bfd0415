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


@pytest.mark.parametrize("days_on", [0, 200, 400])
def test_the_pages_bounded_standing_agrees_with_the_whole_compliance_report(days_on):
    """reports.standing reads counts and limits; reports.compliance reads every row: on a built
    portfolio (with some approvals lapsed, expiring, failing audits, open incidents) both name
    the same exceptions, in the same order, and the page shows the first of each."""
    from django.core.management import call_command

    from reports import compliance, standing

    call_command("portfolio_build", "--models", "120", "--teams", "5")
    now = timezone.now() + timedelta(days=days_on)
    whole = compliance.portfolio(now=now)
    page = standing.portfolio_standing(now=now)
    assert (page["models"], page["versions"]) == (whole["models"], whole["versions"])
    assert page["by_status"] == whole["by_status"]
    assert page["by_tier"] == [
        (f"Tier {tier}" if tier else "Not assessed", n) for tier, n in whole["by_tier"]
    ]

    def names(rows):  # type: ignore[no-untyped-def]
        return sorted((r["slug"], r["version"]) for r in rows)

    for key in ("overdue", "expiring"):
        listed = page[key]
        assert listed.count == len(whole[key])
        shown = [(v.model.slug, v.version) for v in listed.items]
        assert set(shown) <= set(names(whole[key])) and len(shown) == min(50, listed.count)
    assert page["failing"].count == len(whole["failing"]) > 0
    failing = [r["latest_audit"] for r in whole["failing"]]
    assert [run.pk for run in page["failing"].items] == failing[:50]
    assert page["incidents"].count == len(whole["incidents"]) > 0
    assert page["incidents"].items == whole["incidents"][:50]
    if days_on == 400:  # a year on, every live approval has lapsed
        assert page["overdue"].count > 50 and page["overdue"].more == page["overdue"].count - 50


def test_the_page_shows_fifty_of_a_long_list_and_links_the_rest(cast, client):
    from django.core.management import call_command

    call_command("portfolio_build", "--models", "150", "--teams", "3", "--allow-existing")
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        client.force_login(cast.rita)
        page = client.get("/portfolio/").content.decode()
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert overdue.count("approval expired") == 50
    assert 'more: <a href="/models/?flags=overdue_revalidation">' in overdue

"""The reports page offers each person only the downloads they may make: an engineer is not
shown portfolio links that would answer 403."""

import pytest

pytestmark = pytest.mark.django_db

PORTFOLIO_LINKS = (
    b"/api/reports/compliance.pdf",
    b"/api/reports/compliance.csv",
    b"/api/reports/evidence.zip",
)


def test_it_shows_an_engineer_no_portfolio_links(cast, client):
    client.force_login(cast.erin)
    page = client.get("/reports/").content
    assert [link for link in PORTFOLIO_LINKS if link in page] == []
    assert b"for risk officers, auditors and admins" in page


def test_it_shows_an_auditor_every_portfolio_link(cast, client):
    client.force_login(cast.ada)
    page = client.get("/reports/").content
    assert [link for link in PORTFOLIO_LINKS if link in page] == list(PORTFOLIO_LINKS)

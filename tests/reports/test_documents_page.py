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


def test_an_auditor_asks_for_a_team_bundle_and_sees_it_done_with_its_download(
    cast, client, django_capture_on_commit_callbacks, media_root
):
    from reports.models import ReportJob

    client.force_login(cast.ada)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/reports/jobs/", {"kind": "evidence", "team": "team-b"})
    assert answer.status_code == 302
    job = ReportJob.objects.get()  # its id: PostgreSQL's sequences outlive a test's rollback
    page = client.get(answer["Location"]).content.decode()
    assert f"Evidence bundle job #{job.pk} is queued" in page
    assert "team team-b" in page and "Done" in page
    assert f"/api/reports/jobs/{job.pk}/download" in page


def test_the_page_shows_a_bad_period_on_its_field(cast, client):
    client.force_login(cast.ada)
    page = client.post(
        "/reports/jobs/",
        {"kind": "compliance", "period_from": "2026-06-01", "period_until": "2026-01-01"},
    ).content.decode()
    assert 'id="field-period_until"' in page
    assert "must be later than period_from" in page


def test_an_engineer_who_posts_the_job_form_is_refused_and_nothing_is_queued(cast, client):
    from reports.models import ReportJob

    client.force_login(cast.erin)
    assert client.post("/reports/jobs/", {"kind": "evidence"}).status_code == 403
    assert not ReportJob.objects.exists()

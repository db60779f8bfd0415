"""Portfolio jobs through the API, run eagerly here (a real worker in test_jobs_worker): 202
with the job's URL, status and progress, the download once done, the scope, who may ask, and
bad scope input refused naming the field."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from reports.models import JobStatus, ReportJob
from reports.verification import pdf_check
from tests.factories import submitted_version_make
from tests.reports.issued import approved_version

pytestmark = pytest.mark.django_db
JOBS = "/api/reports/jobs/"


@pytest.fixture
def two_teams(cast, django_capture_on_commit_callbacks, media_root):  # type: ignore[no-untyped-def]
    """team-a's approved credit-default (card issued) and team-b's submitted fraud-score."""
    approved_version(cast, django_capture_on_commit_callbacks)
    submitted_version_make(cast.bob, tier=3, slug="fraud-score")


def request_job(api, user, capture, **body):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return api.as_user(user).post(JOBS, body, format="json")


def download(api, job: dict) -> bytes:  # type: ignore[no-untyped-def]
    response = api.get(job["download_url"])
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def test_a_compliance_job_answers_202_with_its_url_and_ends_with_a_signed_pdf(
    two_teams, api, cast, django_capture_on_commit_callbacks
) -> None:
    response = request_job(api, cast.ada, django_capture_on_commit_callbacks, kind="compliance")
    assert response.status_code == 202
    assert response["Location"] == response.json()["url"]
    job = api.get(response["Location"]).json()
    assert (job["status"], job["items_done"], job["items_total"]) == ("done", 2, 2)
    answer = pdf_check(download(api, job))
    assert answer["valid"] is True, answer["reason"]
    assert answer["record"].startswith("compliance:")


def test_a_team_scoped_bundle_holds_only_that_teams_models(
    two_teams, api, cast, django_capture_on_commit_callbacks
) -> None:
    response = request_job(
        api, cast.rita, django_capture_on_commit_callbacks, kind="evidence", team="team-b"
    )
    job = api.get(response["Location"]).json()
    assert (job["status"], job["items_done"], job["items_total"]) == ("done", 1, 1)
    bundle = zipfile.ZipFile(io.BytesIO(download(api, job)))
    names = bundle.namelist()
    assert any(n.startswith("audits/fraud-score/1.0.0/") for n in names)
    assert not any("credit-default" in n for n in names)
    assert json.loads(bundle.read("approvals.json")) == []
    assert json.loads(bundle.read("manifest.json"))["scope"]["team"] == "team-b"
    csv = bundle.read("compliance/portfolio.csv").decode()
    assert "fraud-score" in csv and "credit-default" not in csv


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "everything"}, "kind"),
        ({"kind": "evidence", "tier": 5}, "tier"),
        ({"kind": "evidence", "period_from": "last tuesday"}, "period_from"),
        ({"kind": "evidence", "team": "no-such-team"}, "team"),
        (
            {"kind": "evidence", "period_from": "2026-06-01T00:00Z", "period_until": "2026-01-01"},
            "period_until",
        ),
        ({"kind": "evidence", "colour": "red"}, "colour"),
    ],
)
def test_bad_scope_input_is_refused_naming_the_field(
    api, cast, django_capture_on_commit_callbacks, body, field
) -> None:
    response = request_job(api, cast.ada, django_capture_on_commit_callbacks, **body)
    assert response.status_code == 400
    assert field in json.dumps(response.json())
    assert not ReportJob.objects.exists()


def test_an_engineer_may_neither_ask_for_a_job_nor_read_one(
    api, cast, django_capture_on_commit_callbacks
) -> None:
    refused = request_job(api, cast.erin, django_capture_on_commit_callbacks, kind="evidence")
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=False):
        job = api.as_user(cast.ada).post(JOBS, {"kind": "evidence"}, format="json").json()
    for url in (job["url"], f"{job['url']}download"):
        assert api.as_user(cast.erin).get(url).status_code == 403


def test_the_download_is_409_until_the_job_is_done_and_404_for_no_job(
    api, cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # no worker takes it
        job = api.as_user(cast.ada).post(JOBS, {"kind": "compliance"}, format="json").json()
    early = api.get(f"{job['url']}download")
    assert early.status_code == 409
    assert "is queued" in json.dumps(early.json())
    assert api.get(f"{JOBS}99999/download").status_code == 404


def test_a_requester_who_lost_the_right_to_read_the_portfolio_gets_a_failed_job(
    api, cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        api.as_user(cast.ada).post(JOBS, {"kind": "evidence"}, format="json")
    cast.ada.groups.clear()
    for callback in queued:
        callback()
    job = ReportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "auditors, risk officers and admins" in job.error
    assert not job.result

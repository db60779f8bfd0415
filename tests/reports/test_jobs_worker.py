"""A portfolio job on a real Celery worker over Redis: the web process answers 202, the worker
builds the evidence bundle into storage with its progress, and the web process serves it."""

import io
import zipfile

import pytest

from reports.models import JobStatus, ReportJob
from tests.factories import submitted_version_make
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_models(transactional_db, cast, media_root):  # type: ignore[no-untyped-def]
    """Two teams' audited versions, made with eager tasks before `workers` points Celery at
    Redis (so their audits run here, and not again there)."""
    submitted_version_make(cast.erin, tier=3, slug="credit-default")
    submitted_version_make(cast.bob, tier=3, slug="fraud-score")


def test_a_worker_builds_the_bundle_to_its_total_and_the_web_serves_it(
    two_models, workers, cast, api
):
    workers.start("jobs")
    response = api.as_user(cast.ada).post("/api/reports/jobs/", {"kind": "evidence"}, format="json")
    assert response.status_code == 202
    job = wait_for(
        lambda: ReportJob.objects.filter(status__in=[JobStatus.DONE, JobStatus.FAILED]).first(),
        timeout=120,
        what="the worker to finish the job",
    )
    assert (job.status, job.error) == (JobStatus.DONE, "")
    assert (job.items_done, job.items_total) == (2, 2)
    answer = api.get(response.json()["url"]).json()
    served = b"".join(api.get(answer["download_url"]).streaming_content)
    names = zipfile.ZipFile(io.BytesIO(served)).namelist()
    assert {n.split("/")[1] for n in names if n.startswith("audits/")} == {
        "credit-default",
        "fraud-score",
    }

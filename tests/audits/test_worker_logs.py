"""A real worker under WARDEN_LOG_FORMAT=json logs JSON lines naming the task and the audit
run they belong to, so one run can be followed through the workers that shared it."""

import json

import pytest

from audits.services import evaluation_sets
from tests.audits.conftest import COMPAS_MAPPING, csv_upload
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.slow]
AUDITS = "/api/models/recidivism/versions/1.0.0/audits/"


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue  # Celery's start-up banner is printed, not logged
    return lines


def test_a_workers_lines_carry_the_task_and_run_ids(workers, cast, api, version, compas_csv):
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="current",
    )
    workers.start("logged", WARDEN_LOG_FORMAT="json")
    response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": upload.pk}, format="json")
    run_id = response.data["id"]

    def finished():
        return api.get(f"/api/audits/{run_id}/").data["status"] in ("completed", "errored")

    wait_for(finished, timeout=300, what="the audit to finish")
    lines = json_lines(workers.log("logged"))
    of_run = [line for line in lines if line.get("run_id") == run_id]
    assert of_run, workers.log("logged")[-3000:]
    assert all(line["task_id"] and line["task_name"].startswith("audits.tasks.") for line in of_run)
    assert {"audits.tasks.audit_run_plan", "audits.tasks.audit_run_finalize"} <= {
        line["task_name"] for line in of_run
    }

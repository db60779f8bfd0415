"""The read rule (governance.permissions): everyone with a role reads every record of every
version, whoever's team it is; the pipelines' gate account reads none and is told what it may
ask. One matrix over every API endpoint and page that shows a version's records."""

import pytest

from audits.models import AuditRun
from audits.services.monitors import monitor_create
from governance.lifecycle import deployment_record
from tests.factories import submitted_version_make, user_make
from tests.reports.issued import approve, current_card_on_record

pytestmark = pytest.mark.django_db

API = "/api/models/credit-default/versions/1.0.0/"
PAGE = "/models/credit-default/versions/1.0.0/"
RECORDS = [
    f"{API}",
    f"{API}evaluation-sets/",
    f"{API}audits/",
    "/api/audits/{run}/",
    f"{API}monitors/",
    f"{API}decisions/",
    f"{API}deployments/",
    f"{API}model-card.pdf",
    f"{API}model-cards/",
    f"{API}cyclonedx.json",
    f"{API}coverage/",
    "/api/models/credit-default/coverage/",
    "/api/events/?target_type=governance.modelversion&target_id={version}",
    "/api/events/?target_type=audits.auditrun&target_id={run}",
]
PAGES = [
    PAGE,
    f"{PAGE}compare/",
    f"{PAGE}coverage/",
    "/audits/{run}/",
    "/models/credit-default/",
    "/models/credit-default/coverage/",
]
READERS = ["erin", "bob", "rita", "ada", "root"]


@pytest.fixture
def version(cast):  # type: ignore[no-untyped-def]
    """Team A's version with every kind of record: sets, an audit, an approval, a deployment,
    a model card and the events about them."""
    version = approve(submitted_version_make(cast.erin, tier=2), cast.rita)
    run = AuditRun.objects.get(version=version)
    monitor_create(
        actor=cast.erin,
        version=version,
        evaluation_set=run.evaluation_set,
        reference_set=run.reference_set,
        every_hours=24,
    )
    deployment_record(actor=cast.erin, version=version, environment="production")
    version.refresh_from_db()  # deployed: the card on record states that
    current_card_on_record(version)
    return version


def paths(listed: list[str], version) -> list[str]:  # type: ignore[no-untyped-def]
    run = AuditRun.objects.get(version=version)
    return [path.format(run=run.pk, version=version.pk) for path in listed]


def shows_something(response) -> bool:  # type: ignore[no-untyped-def]
    if not response["Content-Type"].startswith("application/json"):
        return bool(response.getvalue())
    body = response.json()
    return bool(body.get("results", body) if isinstance(body, dict) else body)


# One test per caller walks every endpoint (each fixture runs the real battery once).
@pytest.mark.parametrize("caller", READERS)
def test_every_reader_reads_every_api_record_of_another_teams_version(cast, api, version, caller):
    client = api.as_user(getattr(cast, caller))
    refused = {}
    for path in paths(RECORDS, version):
        response = client.get(path)
        if response.status_code != 200 or not shows_something(response):
            refused[path] = (response.status_code, response.content[:200])
    assert refused == {}


def test_the_gate_account_reads_no_api_record_and_is_told_what_it_may_ask(api, version):
    client = api.as_user(user_make("gil", "gate"))
    told = "a gate account may only ask the deployment gate (GET /api/gate/)"
    answers = {path: client.get(path) for path in paths(RECORDS, version)}
    assert {p: (a.status_code, a.json()["detail"]) for p, a in answers.items()} == {
        path: (403, told) for path in answers
    }


@pytest.mark.parametrize("caller", READERS)
def test_every_reader_sees_every_page_of_another_teams_version(cast, client, version, caller):
    client.force_login(getattr(cast, caller))
    answers = {path: client.get(path).status_code for path in paths(PAGES, version)}
    assert answers == {path: 200 for path in answers}


def test_the_gate_account_sees_no_page_and_is_told_what_it_may_ask(client, version):
    client.force_login(user_make("gil", "gate"))
    for path in paths(PAGES, version):
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"a gate account may only ask the deployment gate" in response.content, path


def test_a_user_without_a_role_is_told_to_ask_for_one(api, db):
    from governance.models import User

    nobody = User.objects.create_user("nobody", password="x")
    response = api.as_user(nobody).get("/api/models/")
    assert response.json()["detail"] == (
        "your account has no Warden role: ask an administrator for one"
    )

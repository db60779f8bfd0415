"""No list page's query count grows with its rows: each page is read at one size, rows are
added, and the page must then make no more queries than before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.incidents import incident_report
from tests.factories import mlmodel_make, submitted_version_make, version_make

pytestmark = pytest.mark.django_db


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def models_with_versions(owner, start: int, stop: int) -> list:
    versions = []
    for i in range(start, stop):
        model = mlmodel_make(owner, slug=f"model-{i}")
        versions += [version_make(model, owner, "1.0"), version_make(model, owner, "2.0")]
    return versions


def report(actor, versions, title: str) -> None:
    incident_report(
        actor=actor,
        versions=versions,
        title=title,
        severity="medium",
        category="drift",
        description="d",
        aware_at=timezone.now(),
        serious_kind="general",
    )


@pytest.mark.parametrize(
    ("who", "url"),
    [("erin", "/mine/"), ("ada", "/models/"), ("ada", "/models/?status=draft&tier=none")],
)
def test_the_model_lists_do_not_grow_with_models_and_versions(
    cast, login, django_assert_max_num_queries, who, url
):
    client = login(getattr(cast, who))
    first = models_with_versions(cast.erin, 0, 2)
    report(cast.erin, first[:1], "one")
    baseline = count(client, url)
    more = models_with_versions(cast.erin, 2, 8)
    report(cast.erin, more[:3], "two")
    report(cast.erin, more[3:5], "three")
    with django_assert_max_num_queries(baseline):
        page = client.get(url)
    assert page.content.decode().count("badge draft") >= 16


def test_the_review_queue_does_not_grow_with_the_queue(cast, login, django_assert_max_num_queries):
    client = login(cast.rita)
    first = submitted_version_make(cast.erin, 2, slug="first")
    report(cast.rita, [first], "one")
    baseline = count(client, "/review/")
    for slug in ("second", "third", "fourth"):
        report(cast.rita, [submitted_version_make(cast.erin, 1, slug=slug)], slug)
    with django_assert_max_num_queries(baseline):
        page = client.get("/review/").content.decode()
    assert page.count("0 of 2") == 3 and page.count("0 of 1") == 1


def test_the_incident_register_and_the_trail_do_not_grow_with_their_rows(
    cast, login, django_assert_max_num_queries
):
    client = login(cast.ada)
    versions = models_with_versions(cast.erin, 0, 3)
    report(cast.erin, versions[:2], "first")
    baseline = {url: count(client, url) for url in ("/incidents/", "/trail/")}
    for i in range(6):
        report(cast.erin, versions[i % 6 : i % 6 + 2], f"incident {i}")
    for url, queries in baseline.items():
        with django_assert_max_num_queries(queries):
            client.get(url)


def test_the_version_and_model_pages_do_not_grow_with_sets_runs_and_versions(
    cast, login, django_assert_max_num_queries
):
    from tests.factories import audit_make

    client = login(cast.rita)
    version = submitted_version_make(cast.erin, 3)
    urls = ("/models/credit-default/versions/1.0.0/", "/models/credit-default/")
    baseline = {url: count(client, url) for url in urls}
    audit_make(version, cast.erin)  # two more sets and one more run
    other = version_make(version.model, cast.erin, "2.0.0")
    report(cast.erin, [version], "one")
    report(cast.erin, [version, other], "two")
    for url, queries in baseline.items():
        with django_assert_max_num_queries(queries):
            client.get(url)

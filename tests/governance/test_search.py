"""The inventory search, through the page and the API: by text, tag, owner, tier, a custom
field's value, overdue revalidation, open incidents and open findings; a bad filter is a 400
naming it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.findings import finding_close, finding_remediate
from governance.incidents import incident_report
from governance.inventory import custom_field_define, mlmodel_fields_set, mlmodel_tags_set
from governance.models import ModelVersion, VersionStatus
from tests.factories import finding_make, mlmodel_make, tiered_model_make, version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(cast):  # type: ignore[no-untyped-def]
    """alpha (erin's, tier 2, tagged credit, retail) whose approval lapsed yesterday; beta
    (bob's, tagged fraud, corporate) with an open finding; gamma (erin's) with an open incident
    and a closed finding."""
    custom_field_define(
        actor=cast.root, key="line", label="Line", kind="choice", choices=["retail", "corporate"]
    )
    alpha = tiered_model_make(cast.erin, 2, slug="alpha")
    beta = mlmodel_make(cast.bob, slug="beta", purpose="Flags fraud.")
    gamma = mlmodel_make(cast.erin, slug="gamma")
    mlmodel_tags_set(actor=cast.erin, model=alpha, tags=["credit"])
    mlmodel_tags_set(actor=cast.bob, model=beta, tags=["fraud"])
    mlmodel_fields_set(actor=cast.erin, model=alpha, values={"line": "retail"})
    mlmodel_fields_set(actor=cast.bob, model=beta, values={"line": "corporate"})
    lapsed = version_make(alpha, cast.erin)
    ModelVersion.objects.filter(pk=lapsed.pk).update(  # approved a year and a day ago
        status=VersionStatus.APPROVED, approval_expires_at=timezone.now() - timedelta(days=1)
    )
    incident_report(
        actor=cast.erin,
        versions=[version_make(gamma, cast.erin)],
        title="Slow",
        severity="low",
        category="outage",
        description="d",
        aware_at=timezone.now(),
    )
    finding_make(cast.rita, cast.erin, beta)
    closed = finding_make(cast.rita, cast.erin, gamma)
    finding_remediate(actor=cast.erin, finding=closed, note="Fixed.")
    finding_close(actor=cast.raj, finding=closed)
    return alpha, beta, gamma


def found(api, user, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = api.as_user(user).get(f"/api/models/?{query}")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    return sorted(m["slug"] for m in (body["results"] if isinstance(body, dict) else body))


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("tag=credit", ["alpha"]),
        ("field=line&value=corporate", ["beta"]),
        ("owner=erin", ["alpha", "gamma"]),
        ("q=fraud", ["beta"]),
        ("q=retail", ["alpha"]),  # a field value is searched too
        ("flags=overdue_revalidation", ["alpha"]),
        ("flags=open_incidents", ["gamma"]),
        ("flags=open_incidents&flags=overdue_revalidation", []),
        ("flags=open_findings", ["beta"]),
        ("owner=erin&risk_tier=2", ["alpha"]),
    ],
)
def test_the_api_search_finds_what_each_filter_names(cast, api, inventory, query, slugs):
    assert found(api, cast.ada, query) == slugs


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("field=line&value=wholesale", "value"),
        ("field=colour&value=red", "field"),
        ("field=line", "value"),
        ("flags=open_findings_typo", "flags"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(cast, api, inventory, query, field):
    response = api.as_user(cast.ada).get(f"/api/models/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_the_inventory_page_filters_by_tag_and_flag(cast, client, inventory):
    client.force_login(cast.ada)
    page = client.get("/models/?tag=credit&flags=overdue_revalidation").content.decode()
    assert "/models/alpha/" in page and "/models/beta/" not in page
    page = client.get("/models/?field=line&value=retail").content.decode()
    assert "/models/alpha/" in page and "/models/gamma/" not in page
    page = client.get("/models/?flags=open_findings").content.decode()
    assert "Open findings" in page and "/models/beta/" in page and "/models/gamma/" not in page


def test_the_inventory_page_shows_a_bad_value_inline(cast, client, inventory):
    client.force_login(cast.ada)
    response = client.get("/models/?field=line&value=wholesale")
    assert response.status_code == 200 and "one of retail, corporate" in response.content.decode()


def test_the_api_reads_and_sets_a_models_fields_and_tags(cast, api, inventory):
    client = api.as_user(cast.erin)
    answer = client.post("/api/models/gamma/fields/", {"values": {"line": "retail"}}, format="json")
    assert answer.status_code == 200 and answer.json()["values"] == {"line": "retail"}
    refused = client.post("/api/models/gamma/fields/", {"values": {"line": "x"}}, format="json")
    assert refused.status_code == 400 and "line" in refused.json()
    tagged = client.put("/api/models/gamma/tags/", {"tags": ["Ops"]}, format="json")
    assert tagged.json()["tags"] == ["ops"]
    assert (
        api.as_user(cast.bob)
        .put("/api/models/gamma/tags/", {"tags": []}, format="json")
        .status_code
        == 403
    )


def test_the_team_sets_fields_and_tags_on_the_page_and_the_model_page_shows_them(
    cast, client, inventory
):
    client.force_login(cast.erin)
    url = "/models/gamma/inventory/"
    refused = client.post(url, {"form": "fields", "line": "wholesale"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert client.post(url, {"form": "fields", "line": "retail"}).status_code == 302
    assert client.post(url, {"form": "tags", "tags": "Ops, night shift"}).status_code == 302
    page = client.get("/models/gamma/").content.decode()
    assert "<dt>Line</dt><dd>retail</dd>" in page and "?tag=night-shift" in page


def test_another_team_may_not_open_the_inventory_record(cast, client, inventory):
    client.force_login(cast.bob)
    assert client.get("/models/gamma/inventory/").status_code == 403

"""Coverage of a model and version: the regimes choose the frameworks; each control is
satisfied, partial or missing by the records behind it; records Warden does not hold yet are
missing with that reason; the page and the API show it."""

from __future__ import annotations

import pytest

from audits.models import EvaluationSet
from audits.services.monitors import monitor_create
from reports.crosswalk import resolvers
from reports.crosswalk.coverage import coverage_of
from reports.crosswalk.evidence import Coverage, Evidence
from tests.factories import submitted_version_make
from tests.reports.issued import approved_version

pytestmark = pytest.mark.django_db
MONITORING = ("eu-ai-act-art-72", "eu-ai-act-annex-iv-9", "nist-measure-3")


def controls(version) -> dict:  # type: ignore[no-untyped-def]
    found = coverage_of(version.model, version)
    return {c.control.id: c for f in found.frameworks for c in f.controls}


def evidence(control, kind: str) -> Evidence:  # type: ignore[no-untyped-def]
    return next(e for need, e in control.evidence if need.kind == kind)


@pytest.fixture
def eu_version(cast):  # type: ignore[no-untyped-def]
    return submitted_version_make(cast.erin, 1, regulatory_regimes=["eu_ai_act", "sr_11_7"])


def test_a_model_with_no_monitoring_plan_shows_the_monitoring_controls_missing(eu_version):
    found = controls(eu_version)
    for control_id in MONITORING:
        assert found[control_id].status == Coverage.MISSING, control_id
    plan = evidence(found["sr-11-7-monitoring"], "monitoring_plan")
    assert plan.status == Coverage.MISSING and "no monitoring plan" in plan.note


def test_a_scheduled_monitor_is_the_monitoring_plan(cast, eu_version):
    sets = {s.role: s for s in EvaluationSet.objects.filter(version=eu_version)}
    monitor_create(
        actor=cast.erin,
        version=eu_version,
        evaluation_set=sets["current"],
        reference_set=sets["reference"],
        every_hours=24,
    )
    article_72 = controls(eu_version)["eu-ai-act-art-72"]
    assert evidence(article_72, "monitoring_plan").status == Coverage.SATISFIED
    assert evidence(article_72, "monitoring_runs").status == Coverage.PARTIAL  # not run yet
    assert article_72.status == Coverage.PARTIAL


def test_a_record_warden_does_not_hold_yet_is_missing_with_that_reason(eu_version):
    monitoring = controls(eu_version)["sr-11-7-monitoring"]
    awaited = evidence(monitoring, "monitor_batch")
    assert awaited == Evidence(Coverage.MISSING, "no monitor batch in Warden yet")


def test_a_registered_resolver_takes_the_place_of_an_awaited_kind(eu_version, monkeypatch):
    monkeypatch.setitem(
        resolvers.RESOLVERS,
        "monitor_batch",
        lambda subject, need: Evidence(Coverage.SATISFIED, "ok"),
    )
    monitoring = controls(eu_version)["sr-11-7-monitoring"]
    assert evidence(monitoring, "monitor_batch").status == Coverage.SATISFIED


def test_the_regimes_choose_the_frameworks(cast):
    version = submitted_version_make(cast.erin, 2, regulatory_regimes=["sr_11_7"])
    found = coverage_of(version.model, version)
    assert [f.framework.id for f in found.frameworks] == ["iso_42001", "nist_ai_rmf", "sr_11_7"]


def test_an_approved_version_has_its_signature_and_card_as_evidence(
    cast, django_capture_on_commit_callbacks
):
    version = approved_version(cast, django_capture_on_commit_callbacks, tier=2)
    found = controls(version)
    signature = evidence(found["nist-manage-1"], "approval_signature")
    assert signature.status == Coverage.SATISFIED and "Rita Tester" in signature.note
    card = evidence(found["iso-42001-a-8-5"], "model_card")
    assert card.status == Coverage.SATISFIED and card.links[0].url == "/reports/"


def test_a_failed_check_is_partial_evidence(cast, eu_version):
    run = eu_version.audit_runs.get()
    for check in run.result["checks"]:
        if check["id"] == "fairness":
            check["status"] = "fail"
    run.save(update_fields=["result"])
    fairness = next(
        e for n, e in controls(eu_version)["eu-ai-act-art-10"].evidence if n.check == "fairness"
    )
    assert fairness.status == Coverage.PARTIAL and "fail" in fairness.note


def test_the_api_answers_with_every_control_and_its_links(cast, api, eu_version):
    url = "/api/models/credit-default/versions/1.0.0/coverage/"
    response = api.as_user(cast.ada).get(url)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["version"] == "1.0.0" and body["regimes"] == ["eu_ai_act", "sr_11_7"]
    eu = next(f for f in body["frameworks"] if f["framework"] == "eu_ai_act")
    article_9 = next(c for c in eu["controls"] if c["id"] == "eu-ai-act-art-9")
    assert article_9["evidence"][0]["links"][0]["url"] == "/models/credit-default/"
    assert sum(eu["counts"].values()) == 20


def test_the_model_api_reads_the_newest_version(cast, api, eu_version):
    response = api.as_user(cast.ada).get("/api/models/credit-default/coverage/")
    assert response.status_code == 200 and response.json()["version"] == "1.0.0"


def test_the_coverage_page_shows_each_control_and_its_status(cast, client, eu_version):
    client.force_login(cast.ada)
    response = client.get("/models/credit-default/versions/1.0.0/coverage/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="control-eu-ai-act-art-72"' in page and "no monitoring plan" in page
    assert client.get("/models/credit-default/coverage/").status_code == 200

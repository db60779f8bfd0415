"""The rules over HTTP: list, propose (refusals name the field), approve by a second risk
officer only, withdraw, and the difference between two versions."""

import pytest

from audits.battery import POLICY
from governance.models import PolicyVersion, QuestionnaireVersion
from governance.risk import QUESTIONNAIRE
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
MONTHS = {"1": 12, "2": 24, "3": 36}


def propose_policy(api, user, **changes):
    content = {**POLICY.to_json(), "version": "2027.1.0", **changes}
    body = {"content": content, "review_months": MONTHS, "note": "tighter"}
    return api.as_user(user).post("/api/policies/", body, format="json")


def approve(api, user, pk, kind="policies", password=PASSWORD):
    body = {"meaning": "approval", "password": password}
    return api.as_user(user).post(f"/api/{kind}/{pk}/approve/", body, format="json")


def test_everyone_with_a_role_lists_the_versions_in_force(cast, api):
    response = api.as_user(cast.ada).get("/api/policies/")
    assert response.status_code == 200
    [first] = response.data["results"]
    assert (first["version"], first["status"]) == ("2026.12.5", "approved")


def test_a_policy_is_proposed_then_signed_by_a_second_risk_officer(cast, api):
    proposed = propose_policy(api, cast.rita)
    assert proposed.status_code == 201 and proposed.data["status"] == "proposed"
    assert approve(api, cast.rita, proposed.data["id"]).status_code == 403
    signed = approve(api, cast.raj, proposed.data["id"])
    assert signed.status_code == 200 and signed.data["status"] == "approved"
    assert signed.data["manifestation"].startswith(cast.raj.printed_name)


def test_an_unknown_metric_is_refused_naming_its_field(cast, api):
    rules = [{**POLICY.to_json()["rules"][0], "metric": "luck"}]
    response = propose_policy(api, cast.rita, rules=rules)
    assert response.status_code == 400
    assert "content.rules[0].metric" in response.data
    assert not PolicyVersion.objects.filter(version="2027.1.0").exists()


def test_an_engineer_cannot_propose(cast, api):
    assert propose_policy(api, cast.erin).status_code == 403


def test_a_wrong_password_is_refused_on_its_field(cast, api):
    proposed = propose_policy(api, cast.rita)
    response = approve(api, cast.raj, proposed.data["id"], password="wrong")
    assert response.status_code == 403 and "password" in response.data


def test_a_proposal_is_withdrawn_with_a_reason(cast, api):
    pk = propose_policy(api, cast.rita).data["id"]
    body = {"reason": "a typo in tier 3"}
    response = api.as_user(cast.raj).post(f"/api/policies/{pk}/withdraw/", body, format="json")
    assert response.status_code == 200 and response.data["status"] == "withdrawn"
    assert approve(api, cast.raj, pk).status_code == 409


def test_the_difference_of_two_questionnaires_is_listed_row_by_row(cast, api):
    content = {**QUESTIONNAIRE.to_json(), "version": "2027.1.0", "tier_2_min_score": 2}
    new = api.as_user(cast.rita).post("/api/questionnaires/", {"content": content}, format="json")
    first = QuestionnaireVersion.objects.get(version="2026.12.1")
    response = api.as_user(cast.ada).get(f"/api/questionnaires/{first.pk}/diff/{new.data['id']}/")
    assert response.status_code == 200
    assert [(r["item"], r["before"], r["after"]) for r in response.data] == [("tier 2 from", 3, 2)]


def test_a_missing_version_is_a_404_naming_it(cast, api):
    first = QuestionnaireVersion.objects.get(version="2026.12.1")
    response = api.as_user(cast.ada).get(f"/api/questionnaires/{first.pk}/diff/999999/")
    assert response.status_code == 404 and "other" in response.data

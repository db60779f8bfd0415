"""The rules' pages: the versions listed, a proposal refused on the field inside its JSON, the
difference from the version in force, and the approval signed by a second risk officer."""

import json

import pytest

from governance.models import QuestionnaireVersion, RuleStatus
from governance.risk import QUESTIONNAIRE
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def proposal(**changes) -> str:
    return json.dumps({**QUESTIONNAIRE.to_json(), "version": "2027.1.0", **changes})


def test_the_list_shows_the_version_in_force(cast, login):
    page = login(cast.ada).get("/rules/policies/")
    assert page.status_code == 200
    assert "warden-default 2026.12.5" in page.content.decode() and b"in force" in page.content


def test_an_unknown_kind_of_rules_is_a_404(cast, login):
    assert login(cast.ada).get("/rules/horoscopes/").status_code == 404


def test_a_bad_proposal_is_refused_naming_the_field_in_its_json(cast, login):
    page = login(cast.rita).post(
        "/rules/questionnaires/new/", {"content": proposal(tier_2_min_score=99)}
    )
    assert page.status_code == 200
    assert "content.tier_2_min_score: tier 2 cannot need more points" in page.content.decode()
    assert not QuestionnaireVersion.objects.filter(version="2027.1.0").exists()


def test_a_proposal_shows_its_difference_and_is_signed_by_a_second_officer(cast, login):
    sent = login(cast.rita).post(
        "/rules/questionnaires/new/", {"content": proposal(tier_2_min_score=2)}
    )
    record = QuestionnaireVersion.objects.get(version="2027.1.0")
    assert sent.status_code == 302 and sent["Location"] == f"/rules/questionnaires/{record.pk}/"
    own = login(cast.rita).get(sent["Location"]).content.decode()
    assert "tier 2 from" in own and "Sign the approval" not in own
    body = {"form": "approve", "approve-meaning": "approval", "approve-password": PASSWORD}
    signed = login(cast.raj).post(sent["Location"], body)
    assert signed.status_code == 302
    record.refresh_from_db()
    assert record.status == RuleStatus.APPROVED and record.approved_by == cast.raj

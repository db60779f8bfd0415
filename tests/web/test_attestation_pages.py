"""The attestation on the pages: the owner signs from the model page, and an overdue one is on
the risk officer's home."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import decisions
from governance.models import Attestation
from tests.factories import PASSWORD, submitted_version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(cast):  # type: ignore[no-untyped-def]
    version = submitted_version_make(cast.erin, 3)
    decisions.decision_record(
        actor=cast.rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    return version


def test_the_owner_attests_from_the_model_page(cast, login, approved):
    owner = login(cast.erin)
    assert "Attest and sign" in owner.get("/models/credit-default/").content.decode()
    response = owner.post(
        "/models/credit-default/attest/", {"statement": "Used as approved.", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert Attestation.objects.get().statement == "Used as approved."
    assert "Used as approved." in login(cast.ada).get("/models/credit-default/").content.decode()


def test_someone_else_is_refused_on_the_form(cast, login, approved):
    page = login(cast.eli).post(
        "/models/credit-default/attest/", {"statement": "s", "password": PASSWORD}
    )
    assert "only the model&#x27;s owner attests" in page.content.decode()
    assert not Attestation.objects.exists()


def test_an_overdue_attestation_is_on_the_risk_officers_home(cast, login, approved):
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        page = login(cast.raj).get("/review/").content.decode()
    assert "Overdue attestations" in page
    assert '<span class="badge overdue">overdue</span>' in page.split("Overdue attestations")[1]

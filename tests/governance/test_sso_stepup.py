"""Step-up signatures: a single sign-on signer's fresh re-authentication stands in for the
password once; a stale, early, foreign or replayed one is refused and recorded."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import decisions
from governance.errors import Forbidden
from governance.models import Approval, Event, EventVerb, Reauthentication
from governance.sso import WardenOIDCBackend
from governance.sso_stepup import reauthentication_verify, stepup_new
from tests.factories import PASSWORD, submitted_version_make
from tests.sso import ISSUER, claims


@pytest.fixture
def sam(sso):  # type: ignore[no-untyped-def]
    """A risk officer provisioned by single sign-on."""
    return WardenOIDCBackend().create_user(claims("s-sam", "warden-risk"))


def verified(sam, *, token: str = "id-token-1", late: int = 5, age: int = 1, stepup=None):  # type: ignore[no-untyped-def]
    """A login `late` seconds after its step-up request, verified when `age` seconds old."""
    stepup = stepup or stepup_new("/")
    id_claims = {"sub": sam.sso_subject, "auth_time": int(stepup.requested_at) + late}
    with time_machine.travel(timezone.now() + timedelta(seconds=late + age), tick=False):
        return reauthentication_verify(actor=sam, claims=id_claims, id_token=token, stepup=stepup)


def sign(version, actor, **how):  # type: ignore[no-untyped-def]
    return decisions.decision_record(
        actor=actor, version=version, decision="approve", meaning="approval", **how
    )


def refusals(actor) -> list[str]:  # type: ignore[no-untyped-def]
    events = Event.objects.filter(verb=EventVerb.SIGNATURE_REFUSED, actor=actor)
    return list(events.order_by("seq").values_list("note", flat=True))


def test_a_fresh_reauthentication_signs_and_is_named_in_the_manifestation(sam, cast):  # type: ignore[no-untyped-def]
    version = submitted_version_make(cast.erin, 3)
    record = verified(sam)
    approval = sign(version, sam, reauthentication=record.pk)
    assert f"re-authenticated at {ISSUER}" in approval.manifestation
    event = Event.objects.get(verb=EventVerb.APPROVAL_GRANTED)
    assert "re-authenticated at" in event.after["manifestation"]
    assert Event.objects.filter(verb=EventVerb.REAUTHENTICATED, actor=sam).count() == 1


def test_a_password_never_signs_for_a_single_sign_on_account(sam, cast):  # type: ignore[no-untyped-def]
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(Forbidden, match="re-authenticating at the test provider"):
        sign(version, sam, password=PASSWORD)
    assert not Approval.objects.exists()


def test_one_reauthentication_signs_once(sam, cast):  # type: ignore[no-untyped-def]
    first = submitted_version_make(cast.erin, 3)
    second = submitted_version_make(cast.erin, 3, slug="second-model")
    record = verified(sam)
    sign(first, sam, reauthentication=record.pk)
    with pytest.raises(Forbidden, match="signed already"):
        sign(second, sam, reauthentication=record.pk)
    assert refusals(sam) == [
        "re-authentication refused: this re-authentication signed already (a replay)"
    ]


def test_the_same_id_token_or_nonce_twice_is_refused_and_recorded(sam):  # type: ignore[no-untyped-def]
    stepup = stepup_new("/")
    verified(sam, token="id-token-1", stepup=stepup)
    with pytest.raises(Forbidden, match="replay"):
        verified(sam, token="id-token-1")
    with pytest.raises(Forbidden, match="replay"):
        verified(sam, token="id-token-2", stepup=stepup)
    assert Reauthentication.objects.count() == 1
    assert len(refusals(sam)) == 2


def test_a_login_older_than_the_request_is_refused(sam):  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden, match="older than the step-up request"):
        verified(sam, late=-30)
    assert "older than the step-up request" in refusals(sam)[0]


def test_a_stale_login_is_refused_when_verified_and_when_used(sam, cast, settings):  # type: ignore[no-untyped-def]
    settings.WARDEN_REAUTHENTICATION_SECONDS = 300
    with pytest.raises(Forbidden, match="older than allowed"):
        verified(sam, age=301)
    record = verified(sam)
    version = submitted_version_make(cast.erin, 3)
    later = timezone.now() + timedelta(seconds=400)
    with time_machine.travel(later, tick=False), pytest.raises(Forbidden, match="too old"):
        sign(version, sam, reauthentication=record.pk)
    assert not Approval.objects.exists()


def test_a_login_of_someone_else_is_refused(sam):  # type: ignore[no-untyped-def]
    stepup = stepup_new("/")
    with pytest.raises(Forbidden, match="someone else"):
        reauthentication_verify(
            actor=sam,
            claims={"sub": "another", "auth_time": int(stepup.requested_at) + 1},
            id_token="t",
            stepup=stepup,
        )


def test_another_users_reauthentication_does_not_sign(sam, sso, cast):  # type: ignore[no-untyped-def]
    other = WardenOIDCBackend().create_user(claims("s-oli", "warden-risk", username="oli"))
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(Forbidden, match="signed already"):
        sign(version, other, reauthentication=verified(sam).pk)


def test_refused_reauthentications_count_to_the_signing_lockout(sam, cast, settings):  # type: ignore[no-untyped-def]
    settings.WARDEN_SIGNATURE_MAX_FAILURES = 2
    for _ in range(2):
        with pytest.raises(Forbidden):
            verified(sam, late=-30)
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(Forbidden, match="signing is locked until"):
        sign(version, sam, reauthentication=verified(sam).pk)


def test_the_api_refuses_a_password_signature_from_a_single_sign_on_account(sam, cast, api):  # type: ignore[no-untyped-def]
    version = submitted_version_make(cast.erin, 3)
    url = f"/api/models/{version.model.slug}/versions/{version.version}/decisions/"
    payload = {"decision": "approve", "meaning": "approval", "password": PASSWORD}
    answer = api.as_user(sam).post(url, payload, format="json")
    assert answer.status_code == 403
    assert "re-authenticating at the test provider" in answer.json()["password"][0]
    assert not Approval.objects.exists()

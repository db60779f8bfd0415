"""Single sign-on: the provider's groups mapped to roles and a team, accounts provisioned and
kept in step on the trail, and segregation of duties holding whatever the provider says."""

import time

import jwt
import pytest
from django.core.exceptions import SuspiciousOperation

from governance.errors import InvalidInput
from governance.models import Event, EventVerb, User
from governance.roles import Role
from governance.sso import WardenOIDCBackend, claims_access
from tests.sso import ISSUER, ROLE_MAP, TEAM_MAP, claims


def test_it_maps_groups_to_roles_and_a_team_and_ignores_the_rest(sso):  # type: ignore[no-untyped-def]
    access = claims_access(
        claims("s", "warden-engineers", "fraud-squad", "coffee-club"), ROLE_MAP, TEAM_MAP
    )
    assert access.roles == {"engineer"}
    assert access.team_slug == "fraud"


def test_it_refuses_groups_naming_two_teams(sso):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="two teams"):
        claims_access(claims("s", "fraud-squad", "credit-squad"), ROLE_MAP, TEAM_MAP)


def test_it_refuses_a_groups_claim_that_is_not_a_list_of_names(sso):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="groups"):
        claims_access({"sub": "s", "groups": [{"$ne": 1}]}, ROLE_MAP, TEAM_MAP)


def test_a_first_login_provisions_the_account_on_the_trail(sso):  # type: ignore[no-untyped-def]
    user = WardenOIDCBackend().create_user(claims("s-1", "warden-engineers", "fraud-squad"))
    assert user is not None
    assert (user.username, user.team.slug, user.sso_subject) == ("sam", "fraud", "s-1")
    assert user.has_role(Role.ENGINEER) and not user.has_usable_password()
    event = Event.objects.get(verb=EventVerb.USER_CREATED, target_id=str(user.pk))
    assert event.after["roles"] == ["engineer"] and "single sign-on" in event.note


def test_a_provider_cannot_make_one_account_engineer_and_risk_officer(sso):  # type: ignore[no-untyped-def]
    user = WardenOIDCBackend().create_user(
        claims("s-2", "warden-engineers", "warden-risk", "fraud-squad")
    )
    assert user is None
    assert not User.objects.filter(sso_subject="s-2").exists()
    refused = Event.objects.get(verb=EventVerb.SSO_LOGIN_REFUSED)
    assert "exclusive" in refused.note and refused.after["sub"] == "s-2"


def test_a_later_claim_set_breaking_the_rules_changes_nothing_and_is_recorded(sso):  # type: ignore[no-untyped-def]
    backend = WardenOIDCBackend()
    user = backend.create_user(claims("s-3", "warden-risk"))
    assert backend.update_user(user, claims("s-3", "warden-risk", "warden-engineers")) is None
    user.refresh_from_db()
    assert sorted(user.groups.values_list("name", flat=True)) == ["risk_officer"]
    assert Event.objects.filter(verb=EventVerb.SSO_LOGIN_REFUSED, target_id=str(user.pk)).exists()


def test_a_change_of_groups_at_the_provider_changes_roles_and_team_on_the_trail(sso):  # type: ignore[no-untyped-def]
    backend = WardenOIDCBackend()
    user = backend.create_user(claims("s-4", "warden-engineers", "fraud-squad"))
    user = backend.update_user(user, claims("s-4", "warden-audit"))
    assert sorted(user.groups.values_list("name", flat=True)) == ["auditor"]
    assert user.team is None
    changed = Event.objects.get(verb=EventVerb.USER_ROLES_CHANGED, target_id=str(user.pk))
    assert (changed.before, changed.after) == ({"roles": ["engineer"]}, {"roles": ["auditor"]})
    assert Event.objects.filter(verb=EventVerb.USER_UPDATED, target_id=str(user.pk)).exists()


def test_groups_granting_no_role_or_an_unknown_team_are_refused(sso, settings):  # type: ignore[no-untyped-def]
    backend = WardenOIDCBackend()
    assert backend.create_user(claims("s-5", "coffee-club")) is None
    settings.WARDEN_OIDC_TEAM_MAP = {"ghost-squad": "ghosts"}
    assert backend.create_user(claims("s-6", "warden-engineers", "ghost-squad")) is None
    notes = list(
        Event.objects.filter(verb=EventVerb.SSO_LOGIN_REFUSED).values_list("note", flat=True)
    )
    assert notes == ["the provider grants no Warden role", "no Warden team 'ghosts'"]


def test_it_never_takes_over_a_local_account_of_the_same_name(sso, cast):  # type: ignore[no-untyped-def]
    assert WardenOIDCBackend().create_user(claims("s-7", "warden-risk", username="rita")) is None
    assert Event.objects.filter(verb=EventVerb.SSO_LOGIN_REFUSED, note__contains="exists").exists()


def test_accounts_are_matched_by_subject_never_by_email(sso):  # type: ignore[no-untyped-def]
    backend = WardenOIDCBackend()
    backend.create_user(claims("s-8", "warden-audit"))
    assert not backend.filter_users_by_claims({"sub": "other", "email": "sam@example.test"})
    assert backend.filter_users_by_claims({"sub": "s-8"}).count() == 1


def _token(sso, **fields):  # type: ignore[no-untyped-def]
    payload = {
        "iss": ISSUER,
        "aud": "warden",
        "sub": "s",
        "nonce": "n-1",
        "exp": int(time.time()) + 60,
        **fields,
    }
    return jwt.encode(payload, sso.OIDC_RP_CLIENT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "fields",
    [{"iss": "http://evil.test/"}, {"aud": "another-client"}, {"nonce": "n-2"}, {"exp": 1}],
    ids=["issuer", "audience", "nonce", "expired"],
)
def test_an_id_token_from_elsewhere_or_for_another_login_is_refused(sso, fields):  # type: ignore[no-untyped-def]
    backend = WardenOIDCBackend()
    assert backend.verify_token(_token(sso), nonce="n-1")["sub"] == "s"
    with pytest.raises((SuspiciousOperation, jwt.InvalidTokenError)):
        backend.verify_token(_token(sso, **fields), nonce="n-1")


def test_with_local_logins_off_a_password_logs_in_nowhere(sso, cast, client, api):  # type: ignore[no-untyped-def]
    from tests.factories import PASSWORD

    page = client.post("/login/", {"username": "rita", "password": PASSWORD})
    assert page.status_code == 403
    token = api.post("/api/auth/token/", {"username": "rita", "password": PASSWORD})
    assert token.status_code == 400
    assert b"Log in with the test provider" in client.get("/login/").content


def test_setting_an_issuer_turns_local_passwords_off_by_default():  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_DIR

    probe = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "from django.conf import settings as s; "
        "print(s.WARDEN_LOCAL_LOGIN, s.AUTHENTICATION_BACKENDS)"
    )
    env = {**os.environ, "WARDEN_OIDC_ISSUER": ISSUER, "SECRET_KEY": "test"}
    env.pop("WARDEN_LOCAL_LOGIN", None)
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=REPO_DIR, capture_output=True, text=True
    )
    assert out.stdout.startswith("False"), out.stderr
    assert "ModelBackend" not in out.stdout and "WardenOIDCBackend" in out.stdout

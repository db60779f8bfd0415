"""Segregation of duties nobody can configure away: every account change is a service call on
the trail, from the real Django admin pages, the command line and the password page; roles
that would let a validator validate their own work are refused; a password someone else set
cannot sign."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from governance import accounts, decisions, lifecycle
from governance.errors import Forbidden, InvalidInput
from governance.models import Event, User
from tests.factories import PASSWORD, audit_make, submitted_version_make, version_make
from tests.factories import tiered_model_make as model_make

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a fresh passphrase of mine"


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_form(user: User, **changes: object) -> dict:
    """The admin change form's POST for `user` as it stands, with `changes` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "team": user.team_id or "",
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "groups": list(user.groups.values_list("pk", flat=True)),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value not in ("", None)}


def group_id(role: str) -> int:
    return Group.objects.get(name=role).pk


def sign(version, officer, password=PASSWORD):  # type: ignore[no-untyped-def]
    return decisions.decision_record(
        actor=officer, version=version, decision="approve", meaning="approval", password=password
    )


def test_the_admin_refuses_to_give_an_engineer_the_risk_officer_role(cast):
    url = f"/admin/governance/user/{cast.eli.pk}/change/"
    groups = [group_id("engineer"), group_id("risk_officer")]
    response = admin_client(cast.root).post(url, change_form(cast.eli, groups=groups))
    assert response.status_code == 200
    assert "engineer and risk officer are exclusive" in response.content.decode()
    assert not cast.eli.groups.filter(name="risk_officer").exists()
    assert not Event.objects.filter(verb="user_roles_changed").exists()


def test_a_role_change_in_the_admin_is_on_the_trail_with_before_and_after(cast):
    url = f"/admin/governance/user/{cast.ada.pk}/change/"
    response = admin_client(cast.root).post(
        url, change_form(cast.ada, groups=[group_id("risk_officer")])
    )
    assert response.status_code == 302
    event = Event.objects.get(verb="user_roles_changed")
    assert (event.actor, event.target_repr) == (cast.root, "ada")
    assert (event.before, event.after) == ({"roles": ["auditor"]}, {"roles": ["risk_officer"]})


def test_the_admin_does_not_offer_superuser_and_ignores_it_when_posted(cast):
    client = admin_client(cast.root)
    url = f"/admin/governance/user/{cast.eli.pk}/change/"
    assert "is_superuser" not in client.get(url).content.decode()
    client.post(url, change_form(cast.eli, is_superuser="on", user_permissions=[1]))
    cast.eli.refresh_from_db()
    assert not cast.eli.is_superuser
    assert not cast.eli.user_permissions.exists()


def test_an_admin_cannot_make_itself_superuser_through_the_service(cast):
    with pytest.raises(Forbidden, match="only from the command line"):
        accounts.user_flags_set(actor=cast.root, user=cast.eli, flags={"is_superuser": True})


def test_nobody_changes_their_own_roles(cast):
    with pytest.raises(Forbidden, match="their own roles"):
        accounts.user_roles_set(actor=cast.root, user=cast.root, roles=["admin", "risk_officer"])


def test_the_admin_shows_an_admin_its_own_access_read_only(cast):
    page = admin_client(cast.root).get(f"/admin/governance/user/{cast.root.pk}/change/")
    assert 'name="is_staff"' not in page.content.decode()
    assert 'name="groups"' not in page.content.decode()


def test_a_staff_flag_change_in_the_admin_is_on_the_trail(cast):
    url = f"/admin/governance/user/{cast.ada.pk}/change/"
    admin_client(cast.root).post(url, change_form(cast.ada, is_staff="on"))
    event = Event.objects.get(verb="user_flags_changed")
    assert event.before["is_staff"] is False and event.after["is_staff"] is True


def test_a_team_change_in_the_admin_is_on_the_trail(cast):
    url = f"/admin/governance/user/{cast.eli.pk}/change/"
    admin_client(cast.root).post(url, change_form(cast.eli, team=cast.bob.team_id))
    event = Event.objects.get(verb="user_updated")
    assert (event.before["team"], event.after["team"]) == (cast.erin.team_id, cast.bob.team_id)


def test_a_user_added_in_the_admin_is_created_by_the_service_on_the_trail(cast):
    body = {
        "username": "nina",
        "first_name": "Nina",
        "role": "risk_officer",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    response = admin_client(cast.root).post("/admin/governance/user/add/", body)
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert nina.has_role("risk_officer") and nina.password_set_by_other
    event = Event.objects.get(verb="user_created", target_repr="nina")
    assert event.actor == cast.root and event.after["role"] == "risk_officer"


def test_a_password_set_in_the_admin_is_on_the_trail_without_the_password(cast):
    url = f"/admin/governance/user/{cast.rita.pk}/password/"
    body = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = admin_client(cast.root).post(url, body)
    assert response.status_code == 302
    event = Event.objects.get(verb="user_password_changed")
    assert (event.actor, event.target_repr) == (cast.root, "rita")
    assert event.after == {"password_set_by_other": True}
    assert NEW_PASSWORD not in str(event.before) + str(event.after) + event.note


def test_a_password_an_admin_set_cannot_sign(cast):
    version = submitted_version_make(cast.erin, 3)
    accounts.user_password_set(actor=cast.root, user=cast.rita, password=NEW_PASSWORD)
    cast.rita.refresh_from_db()
    with pytest.raises(Forbidden, match="set by someone else"):
        sign(version, cast.rita, password=NEW_PASSWORD)


def test_the_owner_changing_the_password_on_the_password_page_lets_it_sign(cast):
    version = submitted_version_make(cast.erin, 3)
    rita = accounts.user_password_set(actor=cast.root, user=cast.rita, password=NEW_PASSWORD)
    body = {
        "old_password": NEW_PASSWORD,
        "new_password1": "only rita knows this one",
        "new_password2": "only rita knows this one",
    }
    response = admin_client(rita).post("/password/", body)
    assert response.url == "/"
    rita.refresh_from_db()
    assert sign(version, rita, password="only rita knows this one").decision == "approve"


def test_create_user_is_the_door_that_grants_superuser_on_the_trail(monkeypatch):
    monkeypatch.setenv("WARDEN_PASSWORD", "a long enough passphrase")
    call_command("create_user", "sue", "--role", "admin", "--superuser")
    assert User.objects.get(username="sue").is_superuser
    assert Event.objects.get(verb="user_created").after["is_superuser"] is True


def test_an_uploader_who_later_becomes_a_risk_officer_cannot_decide(cast):
    version = version_make(model_make(cast.erin, 3), cast.eli)
    audit_make(version, cast.erin)
    version = lifecycle.version_submit(actor=cast.erin, version=version)
    eli = accounts.user_roles_set(actor=cast.root, user=cast.eli, roles=["risk_officer"])
    with pytest.raises(Forbidden, match="you uploaded this version"):
        sign(version, eli)


def test_a_risk_officer_who_ran_the_audit_cannot_decide(cast):
    version = version_make(model_make(cast.erin, 3), cast.erin)
    audit_make(version, cast.rita)
    version = lifecycle.version_submit(actor=cast.erin, version=version)
    with pytest.raises(Forbidden, match="started an audit of this version"):
        sign(version, cast.rita)


def test_roles_check_refuses_an_engineer_without_a_team():
    with pytest.raises(InvalidInput, match="needs a team"):
        accounts.roles_check(["engineer"], None)


def test_the_admin_add_page_asks_for_one_role_and_offers_no_superuser(cast):
    page = admin_client(cast.root).get("/admin/governance/user/add/").content.decode()
    assert 'name="role"' in page
    assert 'name="is_superuser"' not in page
    assert 'name="usable_password"' not in page

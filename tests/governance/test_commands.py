"""The management commands operators use: create_user, changepassword, createsuperuser,
seed_demo."""

import pytest
from django.core.management import CommandError, call_command

from governance.models import Event, MLModel, User

pytestmark = pytest.mark.django_db


def test_create_user_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("WARDEN_PASSWORD", "a long enough passphrase")
    call_command("create_user", "erin", "--role", "engineer", "--team", "credit")
    erin = User.objects.get(username="erin")
    assert erin.check_password("a long enough passphrase")
    assert erin.has_role("engineer")
    assert erin.team.slug == "credit"
    assert Event.objects.filter(verb="user_created", target_repr="erin").count() == 1


def test_create_user_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("WARDEN_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        call_command("create_user", "erin", "--role", "auditor")
    assert not User.objects.exists()


def test_create_user_refuses_an_engineer_without_a_team(monkeypatch):
    monkeypatch.setenv("WARDEN_PASSWORD", "a long enough passphrase")
    with pytest.raises(CommandError, match="team"):
        call_command("create_user", "erin", "--role", "engineer")


def test_create_user_refuses_a_risk_officer_without_the_names_a_signature_prints(monkeypatch):
    monkeypatch.setenv("WARDEN_PASSWORD", "a long enough passphrase")
    with pytest.raises(CommandError, match="--first-name and --last-name") as refused:
        call_command("create_user", "rita", "--role", "risk_officer", "--first-name", "Rita")
    assert refused.value.returncode == 2
    assert not User.objects.exists()


def test_create_user_gives_a_risk_officer_the_name_signatures_print(monkeypatch):
    monkeypatch.setenv("WARDEN_PASSWORD", "a long enough passphrase")
    names = ["--first-name", "Nadia", "--last-name", "Novak"]
    call_command("create_user", "nadia", "--role", "risk_officer", *names)
    assert User.objects.get(username="nadia").printed_name == "Nadia Novak"


def test_create_user_without_a_password_or_terminal_says_how(monkeypatch):
    monkeypatch.delenv("WARDEN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="WARDEN_PASSWORD"):
        call_command("create_user", "erin", "--role", "auditor")


def test_seed_demo_runs_once_and_prints_passwords(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "rita" in out and "risk_officer" in out
    assert (tmp_path / "demo-credentials.txt").stat().st_mode & 0o777 == 0o600
    tiers = set(MLModel.objects.values_list("risk_tier", flat=True))
    assert tiers == {1, 2, 3}
    models = MLModel.objects.count()
    call_command("seed_demo")
    assert MLModel.objects.count() == models


def test_db_roles_prints_the_grants_that_keep_the_app_role_off_the_trail(capsys, settings):
    settings.WARDEN_DATABASE_APP_PASSWORD = "not-printed"
    call_command("db_roles", "--role", "warden_app")
    sql = capsys.readouterr().out
    assert "GRANT SELECT, INSERT ON governance_event TO warden_app" in sql
    assert "REVOKE ALL ON governance_event FROM warden_app" in sql
    assert "not-printed" not in sql


def test_db_roles_refuses_a_role_name_that_is_not_plain_with_exit_2():
    with pytest.raises(CommandError, match="role: ") as error:
        call_command("db_roles", "--role", "app; DROP TABLE x")
    assert error.value.returncode == 2


def test_django_createsuperuser_is_refused_and_names_the_recorded_door():
    with pytest.raises(CommandError, match="create_user NAME --role admin --superuser") as refused:
        call_command("createsuperuser", "--username", "mallory", "--noinput")
    assert refused.value.returncode == 2
    assert not User.objects.exists()


def test_changepassword_is_on_the_trail_and_the_new_password_cannot_sign(monkeypatch):
    monkeypatch.setenv("WARDEN_PASSWORD", "a long enough passphrase")
    call_command(
        "create_user",
        "rita",
        "--role",
        "risk_officer",
        "--first-name",
        "Rita",
        "--last-name",
        "Rossi",
    )
    monkeypatch.setenv("WARDEN_PASSWORD", "another long passphrase")
    call_command("changepassword", "rita")
    rita = User.objects.get(username="rita")
    assert rita.check_password("another long passphrase")
    assert rita.password_set_by_other
    changed = Event.objects.get(verb="user_password_changed", target_repr="rita")
    assert changed.actor is None
    assert changed.note == "set by someone else: it cannot sign"


def test_changepassword_names_an_unknown_user():
    with pytest.raises(CommandError, match="username: no user is called 'ghost'"):
        call_command("changepassword", "ghost")

"""On PostgreSQL the application's own database role cannot rewrite the trail: not by SQL, not
by the old maintenance switch, not by disabling the trigger, not by rewinding the head. Runs in
the PostgreSQL pass of `make test`, where tests connect as the restricted application role."""

import pytest
from django.db import DatabaseError, connection, transaction

from governance.models import Event, TrailHead
from governance.trail import trail_verify
from tests.factories import mlmodel_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def as_app_role(cast):  # type: ignore[no-untyped-def]
    """The cast and one model on the trail, on a connection that does not own the tables."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: make test runs it in its PostgreSQL pass")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class"
            " WHERE relname = 'governance_event'"
        )
        if cursor.fetchone()[0]:
            pytest.skip("connected as the tables' owner: set WARDEN_TEST_DATABASE_OWNER_URL")
    mlmodel_make(cast.erin)


def refused(*statements: str) -> str:
    """Run the statements in a savepoint; the message of the error that stopped them."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as c:
        for statement in statements:
            c.execute(statement)
    return str(error.value)


def test_the_app_role_cannot_update_an_event(as_app_role):
    assert "permission denied" in refused("UPDATE governance_event SET actor_name = 'mallory'")


def test_the_app_role_cannot_delete_an_event(as_app_role):
    assert "permission denied" in refused("DELETE FROM governance_event")


def test_the_app_role_cannot_truncate_the_trail(as_app_role):
    assert "permission denied" in refused("TRUNCATE governance_event")


def test_the_maintenance_switch_no_longer_lets_a_truncate_through(as_app_role):
    message = refused(
        "SET LOCAL warden.trail_maintenance = 'on'",
        "TRUNCATE governance_event, governance_trailhead",
    )
    assert "permission denied" in message


def test_the_app_role_cannot_disable_the_trails_trigger(as_app_role):
    message = refused("ALTER TABLE governance_event DISABLE TRIGGER governance_event_append_only")
    assert "must be owner" in message


def test_the_app_role_cannot_rewind_the_head(as_app_role):
    message = refused(f"UPDATE governance_trailhead SET seq = 0, hash = '{'0' * 64}'")
    assert "only moves forward" in message


def test_the_app_role_cannot_advance_the_head_to_a_hash_not_on_the_chain(as_app_role):
    message = refused(f"UPDATE governance_trailhead SET seq = seq + 1, hash = '{'f' * 64}'")
    assert "only moves forward" in message


def test_the_app_role_cannot_delete_the_head(as_app_role):
    assert "permission denied" in refused("DELETE FROM governance_trailhead")


def test_the_app_role_cannot_add_a_second_head(as_app_role):
    message = refused(
        f"INSERT INTO governance_trailhead (id, seq, hash) VALUES (2, 0, '{'0' * 64}')"
    )
    assert "only moves forward" in message


def test_the_app_role_cannot_plant_an_event_beyond_the_head(as_app_role):
    message = refused(
        "INSERT INTO governance_event (seq, occurred_at, actor_name, verb, target_type,"
        " target_id, target_repr, note, request_id, prev_hash, hash) VALUES (1000, now(),"
        f" 'mallory', 'model_registered', 'x', '1', 'x', '', '', '{'0' * 64}', '{'f' * 64}')"
    )
    assert "grows only after its head" in message


def test_the_app_role_still_appends_and_advances_the_head(as_app_role, cast):
    mlmodel_make(cast.erin, slug="second-model")
    head = TrailHead.objects.get(pk=1)
    assert head.seq == Event.objects.count()
    assert trail_verify().intact

"""The PostgreSQL pass as in production: the test database is created and migrated by the
owner role WARDEN_TEST_DATABASE_OWNER_URL names, then the tests connect as the restricted
application role of DATABASE_URL (granted by governance.database_roles). Only the owner may
empty the trail, so the runner's flush between transactional tests runs on an owner connection.

Without WARDEN_TEST_DATABASE_OWNER_URL one role does everything, as before. The tampering
tests play the owner through `as_database_owner` and `trail_rewrite`."""

import os
from collections.abc import Iterable, Iterator

import psycopg
import pytest
from django.db import connection

from governance.database_roles import EVENT_TABLE, HEAD_TABLE, app_role_sql

OWNER_URL = os.environ.get("WARDEN_TEST_DATABASE_OWNER_URL", "")
_app_credentials: dict[str, str] = {}  # DATABASE_URL's, kept while setup runs as the owner


def _owner_credentials() -> dict[str, str]:
    owner = psycopg.conninfo.conninfo_to_dict(OWNER_URL)
    return {"USER": str(owner.get("user", "")), "PASSWORD": str(owner.get("password", ""))}


def owner_connection() -> psycopg.Connection:
    """A new connection to this test database as the owner (the caller commits and closes)."""
    return psycopg.connect(OWNER_URL, dbname=connection.settings_dict["NAME"])


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Create and migrate the test database as the owner."""
    if OWNER_URL and connection.vendor == "postgresql":
        _app_credentials.update(
            USER=connection.settings_dict["USER"], PASSWORD=connection.settings_dict["PASSWORD"]
        )
        connection.settings_dict.update(_owner_credentials())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """After migrating: grant the application role, then run every test as that role."""
    if not (OWNER_URL and connection.vendor == "postgresql"):
        yield
        return
    role, database = _app_credentials["USER"], connection.settings_dict["NAME"]
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for statement in app_role_sql(role, database=database):
            cursor.execute(statement)
    connection.close()
    connection.settings_dict.update(_app_credentials)
    connection.ops.execute_sql_flush = _flush_as_owner  # type: ignore[method-assign,assignment]
    yield
    connection.close()  # the database is dropped by its owner
    connection.settings_dict.update(_owner_credentials())
    del connection.ops.execute_sql_flush


def _flush_as_owner(sql_list: Iterable[str]) -> None:
    with owner_connection() as owner:
        for sql in sql_list:
            owner.execute(sql)


def as_database_owner(*statements: tuple[str, list]) -> None:
    """Run raw SQL as the owner of the tables would, switching the trail's triggers off for it
    and on again. With an owner role of its own the change commits, so the calling test must be
    transactional; with one role it runs in (and rolls back with) the test's transaction."""
    guarded = (EVENT_TABLE, HEAD_TABLE)
    off: list[tuple[str, list]] = [(f"ALTER TABLE {t} DISABLE TRIGGER USER", []) for t in guarded]
    # A deleted or renumbered event leaves deferred foreign-key checks (the outbox refers to
    # events) that must run before the table may be altered again.
    on: list[tuple[str, list]] = [("SET CONSTRAINTS ALL IMMEDIATE", [])]
    on += [(f"ALTER TABLE {t} ENABLE TRIGGER USER", []) for t in guarded]
    if connection.vendor != "postgresql":
        off = on = []
    if OWNER_URL and connection.vendor == "postgresql":
        with owner_connection() as owner:
            for sql, params in [*off, *statements, *on]:
                owner.execute(sql, params)
        return
    with connection.cursor() as cursor:
        for sql, params in [*off, *statements, *on]:
            cursor.execute(sql, params)


def trail_rewrite(seq: int, actor_name: str) -> None:
    """The wholesale rewrite an attacker with the owner's rights can do: change event `seq`'s
    actor name, recompute its hash and every later one, and move the head to the new last hash.
    The chain alone then verifies intact."""
    from governance.models import Event
    from governance.trail import event_content, event_hash

    statements: list[tuple[str, list]] = []
    prev_hash = Event.objects.get(seq=seq).prev_hash
    for event in Event.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.actor_name = actor_name
        new_hash = event_hash(prev_hash, event_content(event))
        statements.append(
            (
                "UPDATE governance_event SET actor_name = %s, prev_hash = %s, hash = %s"
                " WHERE seq = %s",
                [event.actor_name, prev_hash, new_hash, event.seq],
            )
        )
        prev_hash = new_hash
    statements.append(("UPDATE governance_trailhead SET hash = %s WHERE id = 1", [prev_hash]))
    as_database_owner(*statements)

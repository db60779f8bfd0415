"""app_role_sql on PostgreSQL when two processes set the application role up at once (make
test's parallel processes, or a web and a worker migrating together): the loser of the race to
create the role goes on with the winner's instead of failing."""

import os
import threading

import psycopg
import pytest
from django.db import connection

from governance.database_roles import app_role_sql
from tests.database_roles import OWNER_URL, owner_connection
from tests.workers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_role_created_by_another_process_meanwhile_is_no_error():
    if connection.vendor != "postgresql" or not OWNER_URL:
        pytest.skip("needs PostgreSQL and an owner role: make test runs it in its PostgreSQL pass")
    role = f"warden_race_{os.getpid()}"
    create = app_role_sql(role, database=connection.settings_dict["NAME"])[0]
    errors: list[Exception] = []

    def second_process() -> None:
        try:
            with owner_connection() as late:
                late.execute(create)  # waits on the first one's uncommitted role
                late.commit()
        except psycopg.Error as error:
            errors.append(error)

    first = owner_connection()
    try:
        first.execute(create)  # the role exists in this transaction only
        late = threading.Thread(target=second_process)
        late.start()
        with owner_connection() as watch:
            watch.autocommit = True  # each look a fresh view of the other sessions
            wait_for(
                lambda: watch.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE %s",
                    [f"%{role}%"],
                ).fetchone(),
                timeout=20,
                what="the second creation to wait for the first",
            )
        first.commit()
        late.join(timeout=20)
        assert errors == []
    finally:
        first.rollback()
        first.execute(f"DROP ROLE IF EXISTS {role}")
        first.commit()
        first.close()

"""The PostgreSQL privileges of the application's database role.

Migrations run as the tables' owner; the web, worker and beat processes connect as an
application role that may read and write the registry but may only INSERT and SELECT events,
and may not delete the trail head (its trigger lets it move forward only). Not being the owner,
that role cannot TRUNCATE, ALTER or disable a trigger. Run after every migrate, as the owner."""

import re

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
DATABASE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
EVENT_TABLE = "governance_event"
HEAD_TABLE = "governance_trailhead"
MIGRATIONS_TABLE = "django_migrations"


def app_role_sql(role: str, *, database: str, password: str = "") -> list[str]:
    """The statements that create `role` when missing (without superuser, database creation or
    role creation rights) and grant it what the application needs on every table of the
    public schema, less what would let it rewrite the trail or the migration record."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"role: {role!r} is not a plain lower-case PostgreSQL name")
    if not DATABASE_NAME.match(database):
        raise ValueError(f"database: {database!r} is not a plain PostgreSQL name")
    statements = [
        # Two processes migrating at once (test processes, web and worker) may both find the
        # role missing: the one that loses the race to create it goes on with the winner's.
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; "
        "END IF; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON {EVENT_TABLE} FROM {role}",
        f"GRANT SELECT, INSERT ON {EVENT_TABLE} TO {role}",
        f"REVOKE ALL ON {HEAD_TABLE} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE ON {HEAD_TABLE} TO {role}",
        f"REVOKE ALL ON {MIGRATIONS_TABLE} FROM {role}",
        f"GRANT SELECT ON {MIGRATIONS_TABLE} TO {role}",
    ]
    if password:
        quoted = password.replace("'", "''")
        statements.append(f"ALTER ROLE {role} PASSWORD '{quoted}'")
    return statements

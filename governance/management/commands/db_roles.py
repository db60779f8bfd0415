"""`manage.py db_roles`: print, or with --apply run, the SQL that gives the application's
PostgreSQL role its privileges (governance.database_roles). Run it as the tables' owner after
every `migrate`; exit 2 on a bad role name or on a database that is not PostgreSQL."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from governance.database_roles import app_role_sql


class Command(BaseCommand):
    help = "Print or apply the application role's PostgreSQL privileges (run as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", default=settings.WARDEN_DATABASE_APP_ROLE)
        parser.add_argument("--database-name", help="default: the connected PostgreSQL database")
        parser.add_argument("--apply", action="store_true", help="run it on this connection")

    def handle(self, *args: Any, **options: Any) -> None:
        on_postgres = connection.vendor == "postgresql"
        if options["apply"] and not on_postgres:
            raise CommandError("--apply: the database is not PostgreSQL", returncode=2)
        database = options["database_name"] or (
            str(connection.settings_dict["NAME"]) if on_postgres else "warden"
        )
        try:
            statements = app_role_sql(
                options["role"],
                database=database,
                # Printed SQL leaves the password out: it would land in a terminal or a log.
                password=settings.WARDEN_DATABASE_APP_PASSWORD if options["apply"] else "",
            )
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from error
        if not options["apply"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"granted the application role {options['role']} its privileges")

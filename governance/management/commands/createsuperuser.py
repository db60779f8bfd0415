"""`manage.py createsuperuser` is refused: Django's command of that name writes an account with no
trail event and no role. Superuser is granted by `create_user --superuser`, which is recorded."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Refused in Warden: use create_user NAME --role admin --superuser (on the trail)."

    def add_arguments(self, parser: CommandParser) -> None:
        # Django's own options are accepted only to be refused with the same answer.
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--database")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "createsuperuser writes an account without a trail event; use "
            "`manage.py create_user NAME --role admin --superuser --first-name F --last-name L` "
            "(password from WARDEN_PASSWORD or a prompt), which is recorded",
            returncode=2,
        )

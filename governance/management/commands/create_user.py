"""`manage.py create_user NAME --role ROLE [--team TEAM] [--first-name F --last-name L]
[--superuser]`: provision a user in one role. The password comes from WARDEN_PASSWORD or a prompt,
never from the command line; this is the only door that grants superuser. A risk officer needs
both names: a signature prints the signer's full name."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance import services
from governance.accounts import user_create
from governance.errors import ServiceError
from governance.management.passwords import password_read
from governance.models import Team
from governance.roles import Role


class Command(BaseCommand):
    help = "Create a Warden user with one role (password from WARDEN_PASSWORD or a prompt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", help="team slug; created if it does not exist")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--superuser", action="store_true", help="make the user a superuser (recorded)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["role"] == Role.RISK_OFFICER and not (
            options["first_name"].strip() and options["last_name"].strip()
        ):
            raise CommandError(
                "--first-name and --last-name: a risk officer signs decisions, and each "
                "signature prints the signer's full name",
                returncode=2,
            )
        password = password_read()
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("password: " + " ".join(error.messages)) from None
        team = None
        if options["team"]:
            team = Team.objects.filter(slug=options["team"]).first() or services.team_create(
                actor=None, name=options["team"], slug=options["team"]
            )
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                role=options["role"],
                team=team,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                is_superuser=options["superuser"],
            )
        except ServiceError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from None
        self.stdout.write(f"created {user.username} ({options['role']})")

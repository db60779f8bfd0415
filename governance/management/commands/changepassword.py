"""`manage.py changepassword USERNAME`: Warden's replacement for Django's command of that name,
which writes the password with no trail event. This one goes through `user_password_set`, so the
change is on the trail, and, being set by the operator rather than its owner, the password cannot
sign until its owner changes it on the Password page."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.accounts import user_password_set
from governance.errors import ServiceError
from governance.management.passwords import password_read
from governance.models import User


class Command(BaseCommand):
    help = "Set a user's password, on the trail (password from WARDEN_PASSWORD or a prompt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"username: no user is called {options['username']!r}")
        try:
            user_password_set(actor=None, user=user, password=password_read())
        except ServiceError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from None
        self.stdout.write(
            f"password of {user.username} changed (on the trail; it cannot sign until "
            f"{user.username} changes it on the Password page)"
        )

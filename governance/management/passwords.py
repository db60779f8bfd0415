"""How the account commands read a password: from WARDEN_PASSWORD or, in a terminal, a prompt
asked twice; never from the command line, where it would stay in the shell's history."""

import getpass
import os
import sys

from django.core.management.base import CommandError


def password_read() -> str:
    """The password the operator gives through the environment or the terminal."""
    if os.environ.get("WARDEN_PASSWORD"):
        return os.environ["WARDEN_PASSWORD"]
    if not sys.stdin.isatty():
        raise CommandError("password: set WARDEN_PASSWORD or run the command in a terminal")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError("password: the two entries differ")
    return first

"""`manage.py storage_import FOLDER`: write a `storage_export` back into a fresh default storage
(media folder or bucket), each file checked against the manifest; `scripts/restore` runs it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.storage_copy import StorageCopyError, storage_import


class Command(BaseCommand):
    help = "Write an exported folder back into the storage, checking every file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = storage_import(options["folder"])
        except (StorageCopyError, OSError, ValueError, KeyError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"storage imported: {len(restored)} files")

"""`manage.py storage_export FOLDER`: copy every file of the default storage (media folder or
bucket) into an empty FOLDER with a manifest of sizes and sha256; `scripts/backup` runs it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.storage_copy import StorageCopyError, storage_export


class Command(BaseCommand):
    help = "Copy every stored file into a local folder, with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            copied = storage_export(options["folder"])
        except (StorageCopyError, OSError) as error:
            raise CommandError(str(error)) from error
        size = sum(f.size for f in copied)
        self.stdout.write(f"storage exported: {len(copied)} files, {size:,} bytes")

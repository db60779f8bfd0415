"""`manage.py verify_pdf FILE`: whether a PDF is intact, who signed it, which record it is and
whether it is the file on record. Exit 0 when valid, 1 when not, 2 when the file cannot be read."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports.verification import pdf_check


class Command(BaseCommand):
    help = "Verify a PDF issued by Warden: intact, signed by us, and the file on record."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the PDF to verify")
        parser.add_argument("--json", action="store_true", help="print the answer as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}", returncode=2) from error
        answer = pdf_check(data)
        if options["json"]:
            self.stdout.write(json.dumps(answer, indent=2))
        else:
            verdict = "VALID" if answer["valid"] else "NOT VALID"
            self.stdout.write(f"{verdict}: {answer['reason']}")
            for key in ("record", "signer", "signed_at", "sha256", "on_record", "hash_matches"):
                self.stdout.write(f"  {key:<13} {answer[key] if answer[key] is not None else '-'}")
        if not answer["valid"]:
            raise SystemExit(1)

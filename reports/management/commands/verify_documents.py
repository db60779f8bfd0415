"""`manage.py verify_documents`: every signed document on record, read from storage and checked
as `verify_pdf` checks one (intact, signed by our key, the file on record). Exit 0 when all
are, 1 naming each that is not; `scripts/restore` runs it after a restore."""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from reports.models import Report
from reports.verification import pdf_check


class Command(BaseCommand):
    help = "Verify every signed document Warden has issued, from storage."

    def handle(self, *args: Any, **options: Any) -> None:
        failures = checked = 0
        for report in Report.objects.order_by("pk").iterator():
            checked += 1
            try:
                with report.file.open("rb") as handle:
                    answer = pdf_check(handle.read())
            except OSError as error:
                answer = {"valid": False, "reason": f"cannot read {report.file.name}: {error}"}
            if not answer["valid"]:
                failures += 1
                self.stderr.write(f"NOT VALID {report.record}: {answer['reason']}")
        if failures:
            self.stderr.write(f"{failures} of {checked} documents do not verify")
            sys.exit(1)
        self.stdout.write(f"documents verified: {checked} of {checked}")

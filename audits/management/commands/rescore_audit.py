"""`manage.py rescore_audit RUN`: score a completed LLM audit's stored transcripts again; exit 0
when the document's result_sha256 is the one recorded, 1 when it differs or the transcripts no
longer match their sha256, 2 when the run is not a completed LLM audit. Writes nothing."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.models import AuditRun
from audits.services.llm import TranscriptsChanged, llm_rescore
from governance.errors import InvalidInput


class Command(BaseCommand):
    help = "Re-score a completed LLM audit's stored transcripts and compare result_sha256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int, help="the audit run's id")

    def handle(self, *args: Any, **options: Any) -> None:
        run = AuditRun.objects.select_related("evaluation_set").filter(pk=options["run"]).first()
        if run is None:
            self.stderr.write(f"no audit #{options['run']}")
            sys.exit(2)
        try:
            document = llm_rescore(run)
        except InvalidInput as error:
            self.stderr.write(error.message)
            sys.exit(2)
        except TranscriptsChanged as error:
            self.stderr.write(f"audit #{run.pk}: {error}")
            sys.exit(1)
        if document["result_sha256"] != run.result_sha256:
            self.stderr.write(
                f"audit #{run.pk}: re-scored result_sha256 {document['result_sha256']} differs "
                f"from the recorded {run.result_sha256}"
            )
            sys.exit(1)
        self.stdout.write(f"audit #{run.pk}: result_sha256 {run.result_sha256} reproduced")

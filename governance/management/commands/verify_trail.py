"""`manage.py verify_trail`: exit 0 printing the head hash when the chain is intact and agrees
with every checkpoint and issued document; exit 1 naming the first disagreement otherwise."""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from governance.trail import trail_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the trail."

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = trail_verify()
        if verdict.intact:
            head = f"head #{verdict.head_seq} {verdict.head_hash}"
            anchors = f"{verdict.anchors} checkpoints and documents agree"
            self.stdout.write(f"trail intact: {verdict.events} events, {head}; {anchors}")
            return
        self.stderr.write(f"trail broken at event #{verdict.broken_seq}: {verdict.reason}")
        sys.exit(1)

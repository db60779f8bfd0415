"""Issued documents as trail anchors: each Report row records the head its PDF states, and
trail verification compares the chain with every one (registered by reports.apps)."""

from collections.abc import Iterator

from governance.trail import Anchor
from reports.models import Report


def report_anchors() -> Iterator[Anchor]:
    """The head each issued document recorded at signing."""
    rows = Report.objects.order_by("trail_head_seq", "id")
    for record, seq, head in rows.values_list("record", "trail_head_seq", "trail_head_hash"):
        yield Anchor(f"document {record}", seq, head)

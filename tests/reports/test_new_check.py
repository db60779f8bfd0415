"""A new check is one module and one line in CHECKS: a throwaway check registered here runs in
the battery and appears, under its own title and its metric's, on the audit page and the signed
model card, with nothing else told about it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from audits.battery import CHECKS
from audits.battery.checks.base import Check, Measurement
from audits.models import AuditRun
from reports.models import Report
from tests.factories import PASSWORD
from tests.reports.issued import approved_version, pdf_text

pytestmark = pytest.mark.django_db


class RowCount(Check):
    """Rows: the number of rows of the evaluation set (a sum of the chunks' row counts)."""

    id = "row_count"
    title = "Rows counted by a throwaway check"

    def accumulate(self, chunk) -> dict:  # type: ignore[no-untyped-def]
        return {"rows": len(chunk)}

    def measure(self, stats, spec) -> Measurement:  # type: ignore[no-untyped-def]
        return Measurement({"counted_rows_total": stats["current"]["rows"]}, {})


@pytest.fixture
def row_count_check(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(CHECKS, "row_count", RowCount())  # the one line a new check adds


def test_a_registered_check_appears_on_the_audit_page_and_the_model_card(
    cast, django_capture_on_commit_callbacks, row_count_check, tmp_path: Path
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks)
    run = AuditRun.objects.get(version=version)
    counted = next(c for c in run.result["checks"] if c["id"] == "row_count")
    assert counted["status"] == "pass" and counted["metrics"]["counted_rows_total"] > 0

    client = Client()
    client.login(username=cast.ada.username, password=PASSWORD)
    page = client.get(f"/audits/{run.pk}/").content.decode()
    assert "Rows counted by a throwaway check" in page and "counted rows total" in page

    card = pdf_text(Report.objects.get(version=version).file.read(), tmp_path)
    assert "Rows counted by a throwaway check" in card and "counted rows total" in card

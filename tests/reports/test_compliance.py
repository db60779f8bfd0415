"""The compliance report for auditors: the portfolio as a signed PDF naming overdue
revalidations, failing audits, open incidents with their deadlines and the trail's integrity;
and as CSV, with every cell a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from governance import decisions, incidents, lifecycle
from reports.compliance import csv_safe, csv_text, portfolio
from reports.models import Report
from reports.pdf.verify import read_attachments, verify_pdf
from reports.signer import organisation_signer
from tests.factories import PASSWORD, audit_make, mlmodel_make, submitted_version_make, version_make
from tests.reports.issued import approved_version, pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("=", "'="),
        ("=\ncmd", "'=\ncmd"),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (3, 3),
        (-0.5, -0.5),
        (None, ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_neutralised(cell, written) -> None:  # type: ignore[no-untyped-def]
    assert csv_safe(cell) == written


def test_the_header_is_neutralised_too() -> None:
    assert csv_text(["=x", "y"], [["-1", 2]]).splitlines() == ["'=x,y", "'-1,2"]


def test_the_portfolio_csv_neutralises_what_people_typed(api, cast) -> None:
    mlmodel_make(cast.erin, slug="formula", name='=HYPERLINK("http://evil","click")')
    cast.erin.first_name = "@Erin"
    cast.erin.save()
    response = api.as_user(cast.ada).get("/api/reports/compliance.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["model"] == '\'=HYPERLINK("http://evil","click")'
    assert rows[0]["owner"] == "'@Erin Tester"
    assert rows[0]["version"] == "" and rows[0]["status"] == "no version"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), row


def test_the_csv_has_one_line_per_version_with_its_standing(
    api, cast, django_capture_on_commit_callbacks
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks)
    response = api.as_user(cast.rita).get("/api/reports/compliance.csv")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["slug"], row["version"], row["status"], row["tier"]) == (
        "credit-default",
        "1.0.0",
        "Approved",
        "2",
    )
    assert row["approved_by"] == "Rita Tester"
    assert row["latest_audit_verdict"] == "pass"
    assert row["revalidation_overdue"] == "False"
    assert row["approval_expires_at"] == f"{version.approval_expires_at:%Y-%m-%d %H:%M} UTC"


def test_the_signed_report_names_overdue_revalidations_failing_audits_incidents_and_the_trail(
    api, cast, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks)
    failing = version_make(version.model, cast.erin, version="2.0.0")
    audit_make(failing, cast.erin, accurate=False)
    incident = incidents.incident_report(
        actor=cast.erin,
        versions=[version],
        title="Scores drifted for new applicants",
        severity="high",
        category="drift",
        description="Approval rates fell by a third in a week.",
        aware_at=timezone.now() - timedelta(hours=1),
        serious_kind="general",
    )
    with time_machine.travel(version.approval_expires_at + timedelta(days=1)):
        response = api.as_user(cast.ada).get("/api/reports/compliance.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    report = Report.objects.get(kind="compliance")
    assert report.issued_by == cast.ada and response["X-Warden-Record"] == report.record
    assert verify_pdf(pdf, trusted_certificates=[organisation_signer().certificate]).valid

    text = pdf_text(pdf, tmp_path)
    assert "Credit Default 1.0.0: approval expired" in text
    assert "Failing audits Model, version Status Audit Verdict Finished Credit Default 2.0.0" in (
        text
    )
    assert f"#{incident.pk} Scores drifted for" in text
    assert f"{incident.report_deadline:%Y-%m-%d %H:%M} UTC (Serious incident (15" in text
    assert "overdue, not reported" in text
    assert f"Intact. All {report.trail_head_seq} events verified" in text
    assert "Tier 2 1" in text
    (attached,) = read_attachments(pdf)
    assert attached.name == "portfolio.csv" and b"credit-default" in attached.data


def test_engineers_do_not_get_the_portfolio(api, cast) -> None:
    client = api.as_user(cast.erin)
    for url in ("compliance.pdf", "compliance.csv", "evidence.zip"):
        response = client.get(f"/api/reports/{url}")
        assert response.status_code == 403, url
    assert not Report.objects.exists()


def _approved_without_card(cast):  # type: ignore[no-untyped-def]
    version = submitted_version_make(cast.erin, tier=3)
    decisions.decision_record(
        actor=cast.rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    version.refresh_from_db()
    return version


def test_a_version_under_revalidation_is_listed_as_live(cast) -> None:
    version = _approved_without_card(cast)
    audit_make(version, cast.erin)
    lifecycle.version_submit(actor=cast.erin, version=version)
    assert [row["version"] for row in portfolio()["live"]] == [version.version]


def test_an_approval_lapsing_this_instant_is_overdue_as_the_gate_says(cast) -> None:
    version = _approved_without_card(cast)
    expires = version.approval_expires_at
    (row,) = portfolio(now=expires)["rows"]
    assert row["revalidation_overdue"] is True
    assert version.approval_lapsed(expires)

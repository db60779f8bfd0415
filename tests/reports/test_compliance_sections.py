"""The compliance report laid out in sections of WARDEN_COMPLIANCE_SECTION_ROWS rows, each its
own WeasyPrint render, joined into one signed PDF that reads as the single render did: every
row in order, pages numbered across sections, the CSV attached, PDF/A metadata, one signature
that pdfsig and our verifier accept and one changed byte breaks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.compliance import portfolio
from reports.compliance_sections import PARTS, compliance_sections
from reports.models import Report
from reports.pdf.verify import read_attachments, verify_pdf
from reports.signer import organisation_signer
from tests.factories import mlmodel_make
from tests.reports.conftest import flip_byte_in_a_stream
from tests.reports.issued import pdf_text, pdfsig, poppler

pytestmark = pytest.mark.django_db

MODELS = 12
SECTION_ROWS = 5
VALID = "- Signature Validation: Signature is Valid."


@pytest.fixture
def report_pdf(api, cast, settings) -> bytes:  # type: ignore[no-untyped-def]
    """The compliance report of twelve models (twelve inventory rows) in sections of five."""
    settings.WARDEN_COMPLIANCE_SECTION_ROWS = SECTION_ROWS
    for number in range(MODELS):
        mlmodel_make(cast.erin, slug=f"model-{number:02d}")
    response = api.as_user(cast.ada).get("/api/reports/compliance.pdf")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_long_table_goes_on_in_the_next_section_and_no_section_holds_more_rows(cast) -> None:
    for number in range(MODELS):
        mlmodel_make(cast.erin, slug=f"model-{number:02d}")
    facts = portfolio()
    sections = compliance_sections(facts, SECTION_ROWS)
    assert [sum(len(part.rows) for part in section) for section in sections] == [5, 5, 2]
    inventory = [part for section in sections for part in section if "inventory" in part.template]
    assert [row for part in inventory for row in part.rows] == facts["rows"]
    assert [part.first for part in inventory] == [True, False, False]
    # Every part appears, in reading order, and begins exactly once.
    beginning = [part.template for section in sections for part in section if part.first]
    assert beginning == [f"reports/compliance/{name}.html" for name, _rows in PARTS]


def test_a_small_report_is_one_section(cast) -> None:
    mlmodel_make(cast.erin)
    assert len(compliance_sections(portfolio(), 1000)) == 1


def test_a_section_size_below_one_is_refused_naming_the_setting(cast) -> None:
    with pytest.raises(ValueError, match="WARDEN_COMPLIANCE_SECTION_ROWS must be at least 1"):
        compliance_sections(portfolio(), 0)


def test_the_joined_report_holds_every_row_in_order(report_pdf: bytes, tmp_path: Path) -> None:
    text = pdf_text(report_pdf, tmp_path)
    places = [text.index(f"Model {number:02d} ") for number in range(MODELS)]
    assert places == sorted(places)
    assert text.index("Trail integrity") < places[0] < places[-1] < text.index("Red-teaming")
    assert text.count("Compliance report Warden") == len(PdfReader(io.BytesIO(report_pdf)).pages)


def test_its_pages_are_numbered_across_sections(report_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf)
    pages = len(PdfReader(path).pages)
    assert pages >= 3  # each of the three sections begins a page
    footers = [
        re.search(r"Page (\d+)\b", poppler("pdftotext", "-f", n, "-l", n, str(path), "-"))
        for n in map(str, range(1, pages + 1))
    ]
    assert [m.group(1) if m else None for m in footers] == [str(n) for n in range(1, pages + 1)]
    assert PdfReader(path).page_labels == [str(n) for n in range(1, pages + 1)]


def test_it_keeps_the_attachment_record_and_pdfa_metadata_of_the_first_section(
    report_pdf: bytes,
) -> None:
    (attached,) = read_attachments(report_pdf)
    assert attached.name == "portfolio.csv"
    assert all(f"model-{number:02d}".encode() in attached.data for number in range(MODELS))
    reader = PdfReader(io.BytesIO(report_pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part[^0-9]{0,3}3", xmp) and re.search(
        rb"pdfaid:conformance[^A-Z]{0,3}B", xmp
    )
    assert reader.trailer["/Root"]["/OutputIntents"]
    assert reader.metadata is not None and reader.metadata.title == "Compliance report"
    assert verify_pdf(report_pdf).record == Report.objects.get(kind="compliance").record


def test_one_signature_covers_the_joined_report(report_pdf: bytes, tmp_path: Path) -> None:
    report = pdfsig(report_pdf, tmp_path)
    assert VALID in report and "- Total document signed" in report, report
    trusted = [organisation_signer().certificate]
    assert verify_pdf(report_pdf, trusted_certificates=trusted).valid
    changed = flip_byte_in_a_stream(report_pdf)
    assert VALID not in pdfsig(changed, tmp_path)
    assert not verify_pdf(changed, trusted_certificates=trusted).valid

"""Rendering: the PDF claims PDF/A-3b, carries the record, and gives its attachments back."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from reports.pdf import RECORD_KEY
from reports.pdf.render import LocalOnlyFetcher, PdfAttachment, PdfMetadata, render_pdf
from reports.pdf.verify import read_attachments
from tests.reports.conftest import RECORD


def _reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(BytesIO(pdf), strict=False)


def test_it_claims_pdf_a_3b_in_its_xmp_metadata(card_pdf: bytes) -> None:
    xmp = _reader(card_pdf).root["/Metadata"].data
    assert card_pdf.startswith(b"%PDF-1.7")
    assert b'pdfaid:part="3"' in xmp
    assert b'pdfaid:conformance="B"' in xmp


def test_it_has_the_srgb_output_intent_pdf_a_requires(card_pdf: bytes) -> None:
    intents = _reader(card_pdf).root["/OutputIntents"]
    assert [str(intent["/S"]) for intent in intents] == ["/GTS_PDFA1"]
    assert intents[0]["/DestOutputProfile"].data[:4] != b""


def test_attachments_come_back_byte_for_byte(
    card_pdf: bytes, attachments: list[PdfAttachment]
) -> None:
    embedded = read_attachments(card_pdf)
    assert [(f.name, f.mime, f.description, f.data) for f in embedded] == [
        (a.name, a.mime, a.description, a.data) for a in attachments
    ]


def test_attachments_are_associated_files_with_a_relationship(card_pdf: bytes) -> None:
    associated = _reader(card_pdf).root["/AF"]
    assert sorted(str(spec.get_object()["/UF"]) for spec in associated) == [
        "audit-result.json",
        "reference-audit.json",
    ]
    assert {str(spec.get_object()["/AFRelationship"]) for spec in associated} == {"/Data"}


def test_the_record_title_and_author_are_in_the_document_information(card_pdf: bytes) -> None:
    info = _reader(card_pdf).trailer_view["/Info"]
    assert str(info["/" + RECORD_KEY]) == RECORD
    assert str(info["/Title"]) == "Model card: credit-scoring 1.4.0"
    assert str(info["/Author"]) == "erin"


def test_the_explicit_mime_type_wins_over_the_name() -> None:
    pdf = render_pdf(
        "<p>x</p>",
        metadata=PdfMetadata(title="x"),
        attachments=[PdfAttachment("data.bin", b"a,b\n1,2\n", mime="text/csv")],
    )
    assert [f.mime for f in read_attachments(pdf)] == ["text/csv"]


def test_a_pdf_without_attachments_has_none() -> None:
    pdf = render_pdf("<p>x</p>", metadata=PdfMetadata(title="x"))
    assert read_attachments(pdf) == []


@pytest.mark.parametrize(
    "attachments",
    [
        [PdfAttachment("a.json", b"{}"), PdfAttachment("a.json", b"[]")],
        [PdfAttachment("", b"{}")],
        [PdfAttachment("../a.json", b"{}")],
        [PdfAttachment("a.json", b"{}", relationship="Friend")],
    ],
)
def test_it_refuses_bad_attachments(attachments: list[PdfAttachment]) -> None:
    with pytest.raises(ValueError):
        render_pdf("<p>x</p>", metadata=PdfMetadata(title="x"), attachments=attachments)


def test_the_fetcher_reads_files_under_its_folder(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("p { color: red }")
    response = LocalOnlyFetcher(tmp_path).fetch((tmp_path / "style.css").as_uri())
    assert response.read() == b"p { color: red }"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "ftp://a/b"])
def test_the_fetcher_refuses_other_files_and_the_network(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError):
        LocalOnlyFetcher(tmp_path).fetch(url)


def test_the_fetcher_without_a_folder_reads_no_file(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("")
    with pytest.raises(ValueError):
        LocalOnlyFetcher(None).fetch((tmp_path / "a.css").as_uri())


def test_a_refused_resource_is_left_out_and_rendering_goes_on(tmp_path: Path) -> None:
    html = "<p>x</p><img src='file:///etc/passwd'><img src='http://127.0.0.1:9/x.png'>"
    pdf = render_pdf(html, metadata=PdfMetadata(title="x"), base_url=tmp_path)
    assert pdf.startswith(b"%PDF-")

"""HTML -> PDF/A-3b with WeasyPrint, the audit result documents embedded as attachments.

PDF/A-3 is the archival profile that allows embedded files of any type, so a regulator gets the
human-readable card and the machine-readable result documents in one signed file. The record the
PDF stands for goes into the document information under `RECORD_KEY`.

A long document is rendered in sections (`render_sections_pdf`): WeasyPrint holds a document's
whole layout in memory, so each section is laid out, written to a temporary file and freed
before the next, and pypdf joins the files.
"""

from __future__ import annotations

import base64
import io
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from pypdf import PdfWriter
from weasyprint import HTML, Attachment, Document, URLFetcher

from reports.pdf import RECORD_KEY

# ISO 32000-2 7.11.3 AFRelationship values; "Data" fits a result document a card is drawn from.
RELATIONSHIPS = {"Source", "Data", "Alternative", "Supplement", "Unspecified"}


@dataclass(frozen=True)
class PdfAttachment:
    """One embedded file: its name in the PDF, bytes, MIME type and a one-line description."""

    name: str
    data: bytes
    mime: str = "application/json"
    description: str = ""
    relationship: str = "Data"


@dataclass(frozen=True)
class PdfMetadata:
    """Document information. `record` identifies what the PDF stands for, e.g.
    "model-card:<slug>:<version>:<report id>"; `created` defaults to now (UTC)."""

    title: str
    record: str | None = None
    author: str | None = None
    subject: str | None = None
    keywords: Sequence[str] = ()
    lang: str = "en"
    created: datetime | None = None
    generator: str = "Warden"


@dataclass(frozen=True)
class PageSpan:
    """Where one section's pages fall in the joined document: the number its first page prints.
    The whole document's page count is not known while a section is laid out (counting it
    would lay every section out twice: 2.4x the time at 1,000 models), so a sectioned
    document's footers say "Page N" and a single render's "Page N of M"."""

    first: int


# One section's HTML, given its place in the joined document (None when it is the whole
# document).
Section = Callable[[PageSpan | None], str]


def render_pdf(
    html: str,
    *,
    metadata: PdfMetadata,
    attachments: Sequence[PdfAttachment] = (),
    base_url: str | Path | None = None,
) -> bytes:
    """Render `html` to PDF/A-3b bytes with `attachments` embedded: a document of one section.

    Relative links resolve against `base_url` (a folder); only files inside that folder and
    data: URIs are fetched, never the network, so the content of a card cannot make the server
    read other files or call other hosts.
    """
    return render_sections_pdf(
        [lambda _span: html], metadata=metadata, attachments=attachments, base_url=base_url
    )


def render_sections_pdf(
    sections: Sequence[Section],
    *,
    metadata: PdfMetadata,
    attachments: Sequence[PdfAttachment] = (),
    base_url: str | Path | None = None,
) -> bytes:
    """Render each section as its own WeasyPrint document and join them into one PDF/A-3b.

    The first section carries the document information, the PDF/A metadata and `attachments`;
    the join keeps them (pypdf clones the first file and appends the others' pages and
    outlines). With more than one section each is laid out once, written to a temporary file
    and freed before the next, its `PageSpan` numbering its pages on from the last section's.
    """
    if not sections:
        raise ValueError("a PDF needs at least one section")
    _check_attachments(attachments)
    created = (metadata.created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    root = Path(base_url) if base_url is not None else None
    embedded = [_attachment(a, created) for a in attachments]
    if len(sections) == 1:
        return _write(_layout(sections[0](None), root, metadata, created), metadata, embedded)
    with tempfile.TemporaryDirectory(prefix="warden-pdf-") as folder:
        paths, first = [], 1
        for number, section in enumerate(sections):
            document = _layout(section(PageSpan(first=first)), root, metadata, created)
            first += len(document.pages)
            paths.append(Path(folder) / f"section-{number + 1}.pdf")
            paths[-1].write_bytes(_write(document, metadata, embedded if number == 0 else []))
            del document  # its layout is what takes the memory
        return _join(paths)


def _layout(html: str, root: Path | None, metadata: PdfMetadata, created: datetime) -> Document:
    """The laid-out pages of `html`, its document information set from `metadata`."""
    document = HTML(
        string=html,
        base_url=str(root.resolve()) + "/" if root else None,
        url_fetcher=LocalOnlyFetcher(root),
    ).render()
    info = document.metadata
    info.title = metadata.title
    info.authors = [metadata.author] if metadata.author else []
    info.description = metadata.subject
    info.keywords = list(metadata.keywords)
    info.lang = metadata.lang
    info.generator = metadata.generator
    info.created = info.modified = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return document


def _write(document: Document, metadata: PdfMetadata, attachments: Sequence[Attachment]) -> bytes:
    pdf = document.write_pdf(
        pdf_variant="pdf/a-3b",
        attachments=list(attachments),
        finisher=lambda _document, pdf: _finish(pdf, metadata),
    )
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf


def _join(paths: Sequence[Path]) -> bytes:
    """One PDF of the files at `paths` in order: the first cloned whole (catalog, document
    information, XMP metadata, embedded files), the pages and outlines of the others appended."""
    writer = PdfWriter(clone_from=paths[0])
    for path in paths[1:]:
        writer.append(path)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class LocalOnlyFetcher(URLFetcher):
    """URL fetcher for data: URIs and files under one folder; everything else is refused
    (WeasyPrint logs the refusal and leaves that resource out)."""

    def __init__(self, root: Path | None) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.root = root.resolve() if root is not None else None

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        if url.lower().startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if self.root is None or not path.is_relative_to(self.root):
                raise ValueError(f"refused to read {path}: outside {self.root}")
        return super().fetch(url, headers)


def _check_attachments(attachments: Sequence[PdfAttachment]) -> None:
    names = [a.name for a in attachments]
    if len(set(names)) != len(names):
        raise ValueError(f"attachment names must be unique: {names}")
    for attachment in attachments:
        if not attachment.name or "/" in attachment.name:
            raise ValueError(f"bad attachment name: {attachment.name!r}")
        if attachment.relationship not in RELATIONSHIPS:
            raise ValueError(f"relationship must be one of {sorted(RELATIONSHIPS)}")


def _attachment(attachment: PdfAttachment, when: datetime) -> Attachment:
    # A data: URI is how WeasyPrint takes an explicit MIME type (it would guess from the name).
    encoded = base64.b64encode(attachment.data).decode("ascii")
    return Attachment(
        url=f"data:{attachment.mime};base64,{encoded}",
        name=attachment.name,
        description=attachment.description,
        created=when,
        modified=when,
        relationship=attachment.relationship,
    )


def _finish(pdf: pydyf.PDF, metadata: PdfMetadata) -> None:
    """Last touches before the PDF is written out.

    The record becomes a custom document-information key (PDF/A wants XMP equivalents of the
    standard keys, Title, Author..., which WeasyPrint writes; a custom key has none to match).
    WeasyPrint 70 lists each attached file twice in the catalog's /AF: keep each once.
    The Producer entry goes: pyHanko rewrites the XMP producer when it signs but appends to an
    existing Info one, and PDF/A wants the two equal; without it both end up the same.
    """
    pdf.info.pop("Producer", None)
    if metadata.record:
        pdf.info[RECORD_KEY] = pydyf.String(metadata.record)
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))

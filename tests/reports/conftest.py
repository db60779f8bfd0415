"""The cast of the report tests: one card rendered and signed once per session by the
development key, and a helper to make other people's keys and certificates."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from reports.pdf.render import PdfAttachment, PdfMetadata, render_pdf
from reports.pdf.signing import Signer, development_signer
from tests.reports import sample

RECORD = "model-card:credit-scoring:1.4.0:17"


@pytest.fixture(scope="session")
def document() -> dict:
    return sample.result_document()


@pytest.fixture(scope="session")
def attachments(document: dict) -> list[PdfAttachment]:
    reference = {**document, "status": "pass"}
    return [
        PdfAttachment("audit-result.json", json.dumps(document).encode(), description="audit"),
        PdfAttachment("reference-audit.json", json.dumps(reference).encode(), description="ref"),
    ]


@pytest.fixture(scope="session")
def card_pdf(document: dict, attachments: list[PdfAttachment]) -> bytes:
    html = sample.card_html(sample.all_charts(document), document)
    metadata = PdfMetadata(title="Model card: credit-scoring 1.4.0", record=RECORD, author="erin")
    return render_pdf(html, metadata=metadata, attachments=attachments)


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    return development_signer(tmp_path_factory.mktemp("signing"))


@pytest.fixture(scope="session")
def signed_pdf(card_pdf: bytes, signer: Signer) -> bytes:
    return signer.sign(card_pdf, reason="Model card issued by Warden")


def signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    """The two (start, end) byte ranges the signature covers, from its /ByteRange."""
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert found, "no /ByteRange in the PDF"
    a, b, c, d = (int(x) for x in found.groups())
    return [(a, a + b), (c, c + d)]


def flip_byte_in_a_stream(pdf: bytes) -> bytes:
    """One bit changed inside the first content stream: inside the signed range, and the file's
    structure (offsets, xref) still parses."""
    position = pdf.index(b"stream\n") + len(b"stream\n") + 10
    assert position < signed_ranges(pdf)[0][1]
    changed = bytearray(pdf)
    changed[position] ^= 0x01
    return bytes(changed)


def issue_certificate(
    common_name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
) -> x509.Certificate:
    """A certificate for `key`, self-signed unless an (issuer certificate, issuer key) is given."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(signing_key, hashes.SHA256())
    )

"""Signing: the development key is made once and says so; the organisation's key loads from
PKCS#12 or PEM; pyHanko's own validator finds the signature valid over the whole file."""

from __future__ import annotations

import stat
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from governance.organisation_key import DEVELOPMENT_KEY_FILE, SigningKeyError
from reports.pdf.signing import Signer, development_signer, load_signer, signer_for
from reports.pdf.verify import read_attachments
from tests.reports.conftest import issue_certificate

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/pdf/1.3/": "pdf",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://www.aiim.org/pdfa/ns/id/": "pdfaid",
}


@pytest.fixture
def acme_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def acme_p12(tmp_path: Path, acme_key: ec.EllipticCurvePrivateKey) -> Path:
    certificate = issue_certificate("Acme Risk Office", acme_key)
    path = tmp_path / "acme.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"acme", acme_key, certificate, None, serialization.BestAvailableEncryption(b"s3cret")
        )
    )
    return path


def _status(pdf: bytes, trusted=()):  # type: ignore[no-untyped-def]
    signature = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures[-1]
    roots = [translate_pyca_cryptography_cert_to_asn1(c) for c in trusted]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=roots))


def test_the_development_key_is_made_once_and_reused(tmp_path: Path) -> None:
    first = development_signer(tmp_path / "signing")
    second = development_signer(tmp_path / "signing")
    assert first.fingerprint_sha256 == second.fingerprint_sha256
    assert stat.S_IMODE((tmp_path / "signing" / DEVELOPMENT_KEY_FILE).stat().st_mode) == 0o600


def test_the_development_key_says_so(signer: Signer) -> None:
    assert signer.is_development_key
    assert signer.name == "Warden development signing key"


def test_two_folders_make_two_different_keys(tmp_path: Path, signer: Signer) -> None:
    assert development_signer(tmp_path).fingerprint_sha256 != signer.fingerprint_sha256


def test_it_loads_a_pkcs12_with_its_password(acme_p12: Path) -> None:
    acme = load_signer(acme_p12, "s3cret")
    assert acme.name == "Acme Risk Office"
    assert not acme.is_development_key


def test_a_wrong_pkcs12_password_is_a_clear_error(acme_p12: Path) -> None:
    with pytest.raises(SigningKeyError, match="wrong password"):
        load_signer(acme_p12, "guess")


def test_it_loads_a_pem_with_an_encrypted_key_and_its_chain(
    tmp_path: Path, acme_key: ec.EllipticCurvePrivateKey, card_pdf: bytes
) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = issue_certificate("Acme Root CA", ca_key, ca=True)
    leaf = issue_certificate("Acme Risk Office", acme_key, issuer=(ca, ca_key))
    path = tmp_path / "acme.pem"
    path.write_bytes(
        ca.public_bytes(serialization.Encoding.PEM)
        + acme_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
        + leaf.public_bytes(serialization.Encoding.PEM)
    )
    acme = load_signer(path, "s3cret")
    assert acme.certificate == leaf
    status = _status(acme.sign(card_pdf, reason="test"), trusted=[ca])
    assert status.trusted


def test_a_pem_without_the_key_s_certificate_is_refused(
    tmp_path: Path, acme_key: ec.EllipticCurvePrivateKey
) -> None:
    other = issue_certificate("Someone", ec.generate_private_key(ec.SECP256R1()))
    path = tmp_path / "mixed.pem"
    path.write_bytes(
        acme_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + other.public_bytes(serialization.Encoding.PEM)
    )
    with pytest.raises(SigningKeyError, match="no certificate for the private key"):
        load_signer(path)


def test_a_missing_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="cannot read signing key"):
        load_signer(tmp_path / "absent.p12")


def test_signer_for_prefers_the_configured_key(acme_p12: Path, tmp_path: Path) -> None:
    assert signer_for(acme_p12, "s3cret", tmp_path).name == "Acme Risk Office"
    assert signer_for(None, None, tmp_path).is_development_key
    assert signer_for("", None, tmp_path).is_development_key


def test_pyhanko_finds_the_signature_valid_over_the_whole_file(
    signed_pdf: bytes, signer: Signer
) -> None:
    status = _status(signed_pdf, trusted=[signer.certificate])
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_the_signature_is_pades(signed_pdf: bytes) -> None:
    signature = PdfFileReader(BytesIO(signed_pdf), strict=False).embedded_signatures[-1]
    assert str(signature.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"


def test_signing_keeps_the_attachments_and_the_pdf_a_claim(
    card_pdf: bytes, signed_pdf: bytes
) -> None:
    assert signed_pdf.startswith(card_pdf)  # an incremental update: the original bytes stay
    assert read_attachments(signed_pdf) == read_attachments(card_pdf)
    xmp = PdfFileReader(BytesIO(signed_pdf), strict=False).root["/Metadata"].data
    assert b'pdfaid:part="3"' in xmp


def _xmp_properties(pdf: bytes) -> dict[str, str]:
    """The simple XMP properties, as attributes or elements (an Alt/Seq gives its first item)."""
    xmp = PdfFileReader(BytesIO(pdf), strict=False).root["/Metadata"].data
    found: dict[str, str] = {}
    for description in ET.fromstring(xmp).iter(f"{RDF}Description"):
        found.update({_short(k): v for k, v in description.attrib.items()})
        for child in description:
            item = child.find(f".//{RDF}li")
            found[_short(child.tag)] = (item if item is not None else child).text or ""
    return found


def _short(tag: str) -> str:
    namespace, _, name = tag[1:].partition("}")
    return f"{XMP_PREFIXES.get(namespace, namespace)}:{name}"


@pytest.mark.parametrize("which", ["card_pdf", "signed_pdf"])
def test_document_information_agrees_with_the_xmp_metadata(
    which: str, request: pytest.FixtureRequest
) -> None:
    """PDF/A wants each standard document-information entry equal to its XMP twin; signing
    rewrites both, so check before and after."""
    pdf = request.getfixturevalue(which)
    info = PdfFileReader(BytesIO(pdf), strict=False).trailer_view["/Info"]
    xmp = _xmp_properties(pdf)
    twins = {
        "/Title": "dc:title",
        "/Author": "dc:creator",
        "/Subject": "dc:description",
        "/Keywords": "pdf:Keywords",
        "/Creator": "xmp:CreatorTool",
        "/Producer": "pdf:Producer",
    }
    for key, twin in twins.items():
        if key in info:
            assert xmp.get(twin) == str(info[key]), key
    digits = {k: "".join(c for c in v if c.isdigit())[:14] for k, v in xmp.items()}
    assert digits["xmp:CreateDate"] == str(info["/CreationDate"])[2:16]
    assert digits["xmp:ModifyDate"] == str(info["/ModDate"])[2:16]

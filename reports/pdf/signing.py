"""PAdES signing of PDFs with pyHanko, by the organisation's key (governance.organisation_key
loads it, or makes the development key). `Signer.is_development_key` says which, for the
document to print. Signatures are PAdES B-B: no timestamp authority is reachable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from governance.organisation_key import (
    OrganisationKey,
    common_name,
    development_key,
    key_for,
    load_key,
)

SIGNATURE_FIELD = "WardenSignature"


@dataclass(frozen=True)
class Signer:
    """A loaded signing key and certificate, ready to sign PDFs."""

    certificate: x509.Certificate
    is_development_key: bool
    _pyhanko: signers.SimpleSigner

    @property
    def name(self) -> str:
        return common_name(self.certificate)

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def sign(self, pdf: bytes, *, reason: str, location: str | None = None) -> bytes:
        """The PDF with a PAdES signature over all of it, added as an incremental update."""
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
            name=self.name,
        )
        output = signers.sign_pdf(writer, meta, signer=self._pyhanko)
        return output.getvalue()


def signer_for(
    path: str | Path | None, password: str | None, development_dir: str | Path
) -> Signer:
    """The organisation's signer when `path` is set, else the development signer."""
    return pdf_signer(key_for(path, password, development_dir))


def load_signer(path: str | Path, password: str | None = None) -> Signer:
    """The signer of a PKCS#12 file, or a PEM file with key and certificate in it."""
    return pdf_signer(load_key(path, password))


def development_signer(folder: str | Path) -> Signer:
    """The signer of the development key kept in `folder`, made on first use."""
    return pdf_signer(development_key(folder))


def pdf_signer(key: OrganisationKey) -> Signer:
    """The pyHanko signer of a loaded key, its chain registered for the signature."""
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in key.chain])
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(key.certificate),
        signing_key=translate_pyca_cryptography_key_to_asn1(key.private_key),
        cert_registry=registry,
    )
    return Signer(key.certificate, key.is_development_key, pyhanko_signer)

"""PAdES signing of PDFs with pyHanko, by the organisation's key or a development key.

The organisation's key comes from a PKCS#12 file or a PEM file holding the private key and its
certificate chain. Without one, a self-signed development key is made once under a folder the
caller names and reused; `Signer.is_development_key` says so, for the document to print.
Signatures are PAdES B-B: no timestamp authority is reachable from here.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

DEVELOPMENT_KEY_FILE = "development-signing.pem"
DEVELOPMENT_MARK = "Warden development key, not for production"  # the certificate's OU
SIGNATURE_FIELD = "WardenSignature"
_PEM_KEY = re.compile(
    rb"-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----",
    re.DOTALL,
)


class SigningKeyError(ValueError):
    """The signing key file cannot be used; the message says why."""


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
    if path:
        return load_signer(path, password)
    return development_signer(development_dir)


def load_signer(path: str | Path, password: str | None = None) -> Signer:
    """Load a key and certificate from a PKCS#12 file, or a PEM file with both in it."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SigningKeyError(f"cannot read signing key {path}: {error.strerror}") from error
    secret = password.encode() if password else None
    if data.lstrip().startswith(b"-----BEGIN"):
        key, certificate, chain = _read_pem(data, secret, path)
    else:
        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(data, secret)
        except ValueError as error:
            raise SigningKeyError(f"{path}: not PKCS#12, or wrong password ({error})") from error
        if key is None or certificate is None:
            raise SigningKeyError(f"{path}: the PKCS#12 file needs a private key and certificate")
    return _signer(key, certificate, chain)


def development_signer(folder: str | Path) -> Signer:
    """The development signer kept in `folder`, made on first use (RSA 2048, self-signed)."""
    path = Path(folder) / DEVELOPMENT_KEY_FILE
    if not path.exists():
        _create_development_key(path)
    return load_signer(path)


def _read_pem(data: bytes, secret: bytes | None, path: str | Path):  # type: ignore[no-untyped-def]
    match = _PEM_KEY.search(data)
    if match is None:
        raise SigningKeyError(f"{path}: no private key in the PEM file")
    try:
        key = serialization.load_pem_private_key(match.group(0), password=secret)
    except (ValueError, TypeError) as error:
        raise SigningKeyError(f"{path}: cannot load the private key ({error})") from error
    certificates = x509.load_pem_x509_certificates(data) if b"CERTIFICATE-----" in data else []
    public = key.public_key()
    own = [c for c in certificates if c.public_key() == public]
    if not own:
        raise SigningKeyError(f"{path}: no certificate for the private key in the PEM file")
    return key, own[0], [c for c in certificates if c is not own[0]]


def _signer(key, certificate: x509.Certificate, chain) -> Signer:  # type: ignore[no-untyped-def]
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningKeyError("the signing key must be RSA or elliptic-curve")
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in chain])
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=registry,
    )
    organisational_units = certificate.subject.get_attributes_for_oid(
        NameOID.ORGANIZATIONAL_UNIT_NAME
    )
    is_development = any(a.value == DEVELOPMENT_MARK for a in organisational_units)
    return Signer(certificate, is_development, pyhanko_signer)


def _create_development_key(path: Path) -> None:
    """Write key + certificate in one file, atomically: two workers starting at once end up
    sharing whichever file landed first, never a key from one and a certificate from the other."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Warden development signing key"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEVELOPMENT_MARK),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Warden"),
        ]
    )
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + certificate.public_bytes(serialization.Encoding.PEM)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    try:
        with os.fdopen(descriptor, "wb") as handle:  # mkstemp made it 0600: the key stays private
            handle.write(pem)
        os.link(temporary, path)  # fails if another process made the file first: keep theirs
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def common_name(certificate: x509.Certificate) -> str:
    """The certificate's first common name, or its whole subject when it has none."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()

"""The organisation's signing key: loaded here, where the registry can use it to sign trail
checkpoints, and by reports to sign PDFs (governance <- reports, never the other way).

The key comes from a PKCS#12 file or a PEM file holding the private key and its certificate
chain (WARDEN_SIGNING_KEY, WARDEN_SIGNING_PASSWORD). Without one, a self-signed development
key is made once under WARDEN_SIGNING_DEV_DIR and reused; `is_development_key` says so."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

DEVELOPMENT_KEY_FILE = "development-signing.pem"
DEVELOPMENT_MARK = "Warden development key, not for production"  # the certificate's OU
_PEM_KEY = re.compile(
    rb"-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----",
    re.DOTALL,
)
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class SigningKeyError(ValueError):
    """The signing key file cannot be used; the message says why."""


@dataclass(frozen=True)
class OrganisationKey:
    """A loaded private key with its certificate and the rest of its chain."""

    private_key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def name(self) -> str:
        return common_name(self.certificate)

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def is_development_key(self) -> bool:
        units = self.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        return any(a.value == DEVELOPMENT_MARK for a in units)

    def sign(self, data: bytes) -> bytes:
        """A detached signature over `data`: RSA PKCS#1 v1.5 or ECDSA, with SHA-256."""
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def signature_verifies(certificate: x509.Certificate, data: bytes, signature: bytes) -> bool:
    """Whether `signature` (from `OrganisationKey.sign`) is over `data` by the certificate's key."""
    public = certificate.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def organisation_key() -> OrganisationKey:
    """The key the settings name, else the development key."""
    return key_for(
        settings.WARDEN_SIGNING_KEY or None,
        settings.WARDEN_SIGNING_PASSWORD or None,
        settings.WARDEN_SIGNING_DEV_DIR,
    )


def key_for(
    path: str | Path | None, password: str | None, development_dir: str | Path
) -> OrganisationKey:
    """The organisation's key when `path` is set, else the development key."""
    if path:
        return load_key(path, password)
    return development_key(development_dir)


def load_key(path: str | Path, password: str | None = None) -> OrganisationKey:
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
    if not isinstance(key, PrivateKey):
        raise SigningKeyError("the signing key must be RSA or elliptic-curve")
    return OrganisationKey(key, certificate, tuple(chain))


def development_key(folder: str | Path) -> OrganisationKey:
    """The development key kept in `folder`, made on first use (RSA 2048, self-signed)."""
    path = Path(folder) / DEVELOPMENT_KEY_FILE
    if not path.exists():
        _create_development_key(path)
    return load_key(path)


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

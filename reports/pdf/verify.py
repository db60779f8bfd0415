"""Verification of a PDF someone hands us: is it a PDF, is it signed, is it intact, whose key
signed it, and which record it stands for.

Every input, however broken, gets a `Verification` back and never an exception: the caller shows
its `reason` to a person. A signature counts as intact only when it is valid and covers the whole
file, so nothing can have been appended after signing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from governance.organisation_key import common_name
from reports.pdf import RECORD_KEY

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verification:
    """What we can say about one PDF. `record` is read from the signed revision when there is a
    signature, else from the file; `ours` is None when no trusted certificate was given;
    `hash_matches` is None when no expected hash was given."""

    sha256: str
    is_pdf: bool
    signed: bool = False
    intact: bool = False
    ours: bool | None = None
    signer: str | None = None
    signer_fingerprint: str | None = None
    signed_at: datetime | None = None
    record: str | None = None
    hash_matches: bool | None = None
    reason: str = ""

    @property
    def valid(self) -> bool:
        """Signed, intact, by one of our keys, and the stored file when a hash was given."""
        return self.intact and self.ours is not False and self.hash_matches is not False


@dataclass(frozen=True)
class EmbeddedFile:
    """One file attached to a PDF."""

    name: str
    mime: str | None
    description: str
    data: bytes


def verify_pdf(
    data: bytes,
    *,
    trusted_certificates: Sequence[x509.Certificate] = (),
    expected_sha256: str | None = None,
) -> Verification:
    """Verify `data`; a signature is "ours" when its certificate has the key of one of
    `trusted_certificates`; `expected_sha256` is the hash stored for the record, if any."""
    sha256 = hashlib.sha256(data).hexdigest()
    matches = None if expected_sha256 is None else sha256 == expected_sha256.lower()
    if b"%PDF-" not in data[:1024]:
        return Verification(sha256, is_pdf=False, hash_matches=matches, reason="not a PDF file")
    if b"%%EOF" not in data[-1024:]:
        return Verification(
            sha256, is_pdf=False, hash_matches=matches, reason="truncated PDF: no end-of-file mark"
        )
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        record = _record(reader)
        filled = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as error:  # any parse failure is an answer, not a crash
        return Verification(
            sha256, is_pdf=False, hash_matches=matches, reason=f"damaged PDF: {error}"
        )
    if not filled:
        return Verification(
            sha256, is_pdf=True, record=record, hash_matches=matches, reason="not signed"
        )
    try:
        signature = reader.embedded_signatures[-1]
        return _check_signature(signature, sha256, matches, trusted_certificates)
    except Exception as error:  # a mangled signature container is bad input too
        logger.info("signature could not be validated", exc_info=True)
        return Verification(
            sha256,
            is_pdf=True,
            signed=True,
            record=record,
            hash_matches=matches,
            reason=f"the signature cannot be read, so it proves nothing: {error}",
        )


def read_attachments(data: bytes) -> list[EmbeddedFile]:
    """The files embedded in a PDF (its EmbeddedFiles name tree), in document order."""
    reader = PdfFileReader(BytesIO(data), strict=False)
    tree = _get(_get(reader.root, "/Names"), "/EmbeddedFiles")
    return list(_walk_name_tree(tree)) if tree is not None else []


def _check_signature(signature, sha256, matches, trusted) -> Verification:  # type: ignore[no-untyped-def]
    roots = [translate_pyca_cryptography_cert_to_asn1(c) for c in trusted]
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=roots, allow_fetching=False)
    )
    # The record as it stood when signed: an update appended later cannot rename the file.
    record = _record(signature.reader.get_historical_resolver(signature.signed_revision))
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    signer = common_name(certificate)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    intact = bool(status.intact and status.valid and whole)
    ours = None
    if trusted:
        key = _key_bytes(certificate)
        ours = any(_key_bytes(c) == key for c in trusted)
    if not (status.intact and status.valid):
        reason = "the content does not match the signature: changed after signing"
    elif not whole:
        reason = "content was added after signing: the signature covers only part of the file"
    elif ours is False:
        reason = f"intact, but signed by {signer}, whose key is not ours"
    elif matches is False:
        reason = "intact and signed, but not the file on record: its sha256 differs"
    else:
        reason = f"intact and signed by {signer}"
    return Verification(
        sha256,
        is_pdf=True,
        signed=True,
        intact=intact,
        ours=ours,
        signer=signer,
        signer_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        signed_at=status.signer_reported_dt,
        record=record,
        hash_matches=matches,
        reason=reason,
    )


def _record(handler) -> str | None:  # type: ignore[no-untyped-def]
    """The record named in the document information of `handler` (a file or one revision).
    Resolved through the handler itself: the trailer's own [] would read the newest revision."""
    trailer = handler.trailer_view
    if "/Info" not in trailer:
        return None
    info = trailer.raw_get("/Info")
    if isinstance(info, generic.IndirectObject):
        info = handler.get_object(info.reference)
    value = _get(info, "/" + RECORD_KEY)
    return str(value) if value is not None else None


def _get(dictionary, key: str):  # type: ignore[no-untyped-def]
    """dictionary[key] resolved to its object (pyHanko's [] dereferences, .get() does not)."""
    return dictionary[key] if dictionary is not None and key in dictionary else None


def _walk_name_tree(node):  # type: ignore[no-untyped-def]
    for kid in _get(node, "/Kids") or []:
        yield from _walk_name_tree(kid.get_object())
    for filespec in list(_get(node, "/Names") or [])[1::2]:
        filespec = filespec.get_object()
        stream = filespec["/EF"]["/F"]
        subtype = _get(stream, "/Subtype")
        yield EmbeddedFile(
            name=str(_get(filespec, "/UF") or _get(filespec, "/F") or ""),
            mime=str(subtype)[1:] if subtype is not None else None,
            description=str(_get(filespec, "/Desc") or ""),
            data=stream.data,
        )


def _key_bytes(certificate: x509.Certificate) -> bytes:
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

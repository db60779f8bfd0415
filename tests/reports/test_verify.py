"""Verification: our intact card says so and names its record; every kind of bad input gets a
clear answer and never an exception."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from reports.pdf import RECORD_KEY
from reports.pdf.signing import Signer, load_signer
from reports.pdf.verify import verify_pdf
from tests.reports.conftest import RECORD, flip_byte_in_a_stream, issue_certificate, signed_ranges


def test_our_signed_card_is_intact_ours_and_names_its_record(
    signed_pdf: bytes, signer: Signer
) -> None:
    result = verify_pdf(signed_pdf, trusted_certificates=[signer.certificate])
    assert result.valid
    assert (result.is_pdf, result.signed, result.intact, result.ours) == (True, True, True, True)
    assert result.signer == "Warden development signing key"
    assert result.signer_fingerprint == signer.fingerprint_sha256
    assert result.record == RECORD
    assert result.sha256 == hashlib.sha256(signed_pdf).hexdigest()
    assert datetime.now(UTC) - result.signed_at < timedelta(minutes=10)
    assert result.reason == "intact and signed by Warden development signing key"


def test_without_trusted_certificates_it_cannot_say_whose_key(signed_pdf: bytes) -> None:
    result = verify_pdf(signed_pdf)
    assert result.intact
    assert result.ours is None


def test_the_stored_hash_is_compared(signed_pdf: bytes, signer: Signer) -> None:
    digest = hashlib.sha256(signed_pdf).hexdigest()
    same = verify_pdf(signed_pdf, trusted_certificates=[signer.certificate], expected_sha256=digest)
    other = verify_pdf(signed_pdf, trusted_certificates=[signer.certificate], expected_sha256="0")
    assert same.hash_matches and same.valid
    assert other.hash_matches is False
    assert not other.valid
    assert "not the file on record" in other.reason


def test_one_changed_byte_breaks_it(signed_pdf: bytes, signer: Signer) -> None:
    result = verify_pdf(
        flip_byte_in_a_stream(signed_pdf), trusted_certificates=[signer.certificate]
    )
    assert result.signed
    assert not result.intact
    assert not result.valid
    assert "changed after signing" in result.reason


def test_no_changed_byte_anywhere_in_the_signed_ranges_goes_unnoticed(
    signed_pdf: bytes, signer: Signer
) -> None:
    for start, end in signed_ranges(signed_pdf):
        for position in range(start, end, max(1, (end - start) // 12)):
            changed = bytearray(signed_pdf)
            changed[position] ^= 0x04
            result = verify_pdf(bytes(changed), trusted_certificates=[signer.certificate])
            assert not result.intact, f"byte {position} changed, still intact"
            assert result.reason


def test_a_changed_byte_inside_the_signature_itself_is_an_answer(signed_pdf: bytes) -> None:
    position = signed_ranges(signed_pdf)[0][1] + 40  # inside /Contents <...>
    changed = bytearray(signed_pdf)
    changed[position] = ord("0") if changed[position] != ord("0") else ord("1")
    result = verify_pdf(bytes(changed))
    assert result.signed
    assert not result.intact


def test_an_update_appended_after_signing_is_not_intact(signed_pdf: bytes, signer: Signer) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf), strict=False)
    info = writer.trailer["/Info"]
    info["/" + RECORD_KEY] = generic.TextStringObject("model-card:forged:9.9.9:1")
    writer.update_container(info)
    output = BytesIO()
    writer.write(output)
    result = verify_pdf(output.getvalue(), trusted_certificates=[signer.certificate])
    assert result.signed
    assert not result.intact
    assert "added after signing" in result.reason
    assert result.record == RECORD  # what was signed, not what was appended


def test_a_card_signed_by_someone_else_is_intact_but_not_ours(
    card_pdf: bytes, signer: Signer, tmp_path: Path
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "mallory.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            None, key, issue_certificate("Mallory", key), None, serialization.NoEncryption()
        )
    )
    theirs = load_signer(path).sign(card_pdf, reason="trust me")
    result = verify_pdf(theirs, trusted_certificates=[signer.certificate])
    assert result.intact
    assert result.ours is False
    assert not result.valid
    assert result.signer == "Mallory"
    assert "not ours" in result.reason


def test_an_unsigned_pdf_says_so_and_still_names_its_record(card_pdf: bytes) -> None:
    result = verify_pdf(card_pdf)
    assert (result.is_pdf, result.signed, result.intact) == (True, False, False)
    assert result.record == RECORD
    assert result.reason == "not signed"


@pytest.mark.parametrize("data", [b"", b"hello", b"PK\x03\x04 a zip file", bytes(range(256))])
def test_what_is_not_a_pdf_says_so(data: bytes) -> None:
    result = verify_pdf(data)
    assert not result.is_pdf
    assert not result.valid
    assert result.reason == "not a PDF file"
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_a_truncated_signed_pdf_says_so(signed_pdf: bytes) -> None:
    result = verify_pdf(signed_pdf[:-300])
    assert not result.is_pdf
    assert not result.valid
    assert "truncated" in result.reason


def test_a_damaged_pdf_is_an_answer_not_an_exception() -> None:
    result = verify_pdf(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    assert not result.valid
    assert result.reason


def test_a_pdf_cut_anywhere_gets_an_answer_never_an_exception(signed_pdf: bytes) -> None:
    for length in range(0, len(signed_pdf), len(signed_pdf) // 10):
        result = verify_pdf(signed_pdf[:length])
        assert not result.valid, length
        assert result.reason, length

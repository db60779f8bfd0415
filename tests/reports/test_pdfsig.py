"""poppler's pdfsig, an independent verifier, agrees: our signature is valid, and one changed
byte makes it invalid. The development certificate is self-signed, so pdfsig cannot trust its
issuer; the assertions are on the signature line, which is about the bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reports.conftest import flip_byte_in_a_stream

VALID = "- Signature Validation: Signature is Valid."


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    """pdfsig's report on `pdf`; it needs poppler-utils (apt), which CI installs."""
    if shutil.which("pdfsig") is None:
        if os.environ.get("CI"):
            pytest.fail("pdfsig not found: CI must install poppler-utils (apt-get install)")
        pytest.skip("pdfsig not found: apt-get install poppler-utils to run this test")
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    completed = subprocess.run(
        ["pdfsig", "-no-ocsp", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return completed.stdout + completed.stderr


def test_pdfsig_reports_our_signature_valid_over_the_whole_document(
    signed_pdf: bytes, tmp_path: Path
) -> None:
    report = pdfsig(signed_pdf, tmp_path)
    assert VALID in report, report
    assert "- Total document signed" in report, report
    assert "Signer Certificate Common Name: Warden development signing key" in report, report


def test_pdfsig_reports_one_changed_byte_invalid(signed_pdf: bytes, tmp_path: Path) -> None:
    report = pdfsig(flip_byte_in_a_stream(signed_pdf), tmp_path)
    assert "- Signature Validation: " in report, report
    assert VALID not in report, report
    assert "Digest Mismatch" in report, report


def test_pdfsig_finds_no_signature_in_an_unsigned_card(card_pdf: bytes, tmp_path: Path) -> None:
    assert "does not contain any signatures" in pdfsig(card_pdf, tmp_path)

"""POST /api/reports/verify/ and `manage.py verify_pdf`: our card on record is valid and named;
every kind of bad input (not a PDF, truncated, unsigned, changed, signed by someone else, ours
but not on record) gets a clear 200 answer, a malformed request a 4xx, and never a 500."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from reports.models import Report
from reports.pdf.signing import load_signer
from reports.signer import organisation_signer
from tests.reports.conftest import flip_byte_in_a_stream, issue_certificate
from tests.reports.issued import approved_version

pytestmark = pytest.mark.django_db
URL = "/api/reports/verify/"


@pytest.fixture
def card(cast, django_capture_on_commit_callbacks) -> Report:  # type: ignore[no-untyped-def]
    version = approved_version(cast, django_capture_on_commit_callbacks)
    return Report.objects.get(version=version)


def verify(api, user, data: bytes, name: str = "card.pdf"):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return api.as_user(user).post(URL, {"file": upload}, format="multipart")


def test_our_card_on_record_is_valid_and_named(api, cast, card: Report) -> None:
    response = verify(api, cast.ada, card.file.read())
    assert response.status_code == 200
    answer = response.json()
    assert answer["valid"] is True
    assert (answer["intact"], answer["ours"], answer["on_record"], answer["hash_matches"]) == (
        True,
        True,
        True,
        True,
    )
    assert answer["record"] == card.record
    assert answer["signer"] == card.signer_name
    assert answer["report"]["model"] == "credit-default"
    assert answer["report"]["trail_head_hash"] == card.trail_head_hash
    assert answer["reason"] == (
        f"intact, signed by {card.signer_name}, and the file on record as {card.record}"
    )


def test_a_changed_byte_is_not_valid(api, cast, card: Report) -> None:
    answer = verify(api, cast.erin, flip_byte_in_a_stream(card.file.read())).json()
    assert answer["valid"] is False and answer["intact"] is False
    assert "changed after signing" in answer["reason"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"hello, this is not a PDF at all", "not a PDF file"),
        (b"", None),
    ],
)
def test_a_file_that_is_not_a_pdf_gets_a_clear_answer(api, cast, data, reason) -> None:  # type: ignore[no-untyped-def]
    response = verify(api, cast.ada, data, name="notes.txt")
    if reason is None:
        assert response.status_code == 400
        assert "file" in response.json()
    else:
        assert response.status_code == 200
        assert response.json()["valid"] is False
        assert response.json()["reason"] == reason


def test_a_truncated_card_gets_a_clear_answer(api, cast, card: Report) -> None:
    data = card.file.read()
    for cut in (len(data) // 2, len(data) - 10, 2000):
        response = verify(api, cast.ada, data[:cut])
        assert response.status_code == 200
        answer = response.json()
        assert answer["valid"] is False and answer["reason"]


def test_an_unsigned_pdf_is_not_valid(api, cast, card_pdf: bytes) -> None:
    answer = verify(api, cast.ada, card_pdf).json()
    assert (answer["valid"], answer["is_pdf"], answer["signed"]) == (False, True, False)
    assert answer["reason"] == "not signed"


def test_a_pdf_signed_by_someone_else_is_not_ours(
    api, cast, card_pdf: bytes, tmp_path: Path
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + issue_certificate("Mallory Forger", key).public_bytes(serialization.Encoding.PEM)
    (tmp_path / "other.pem").write_bytes(pem)
    forged = load_signer(tmp_path / "other.pem").sign(card_pdf, reason="forged")
    answer = verify(api, cast.ada, forged).json()
    assert answer["intact"] is True and answer["ours"] is False and answer["valid"] is False
    assert "signed by Mallory Forger, whose key is not one Warden signs with" in answer["reason"]


def test_a_pdf_signed_by_our_key_but_not_on_record_is_not_valid(api, cast, card_pdf: bytes) -> None:
    signed = organisation_signer().sign(card_pdf, reason="not issued through Warden")
    answer = verify(api, cast.ada, signed).json()
    assert answer["intact"] is True and answer["ours"] is True
    assert answer["on_record"] is False and answer["valid"] is False
    assert "is on file" in answer["reason"]


def test_a_request_without_the_file_is_refused_naming_the_field(api, cast) -> None:
    response = api.as_user(cast.ada).post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_unknown_field_is_refused(api, cast, card_pdf: bytes) -> None:
    upload = SimpleUploadedFile("card.pdf", card_pdf, content_type="application/pdf")
    response = api.as_user(cast.ada).post(URL, {"file": upload, "fiel": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"fiel": ["unknown field"]}


def test_a_json_body_is_refused_as_unsupported(api, cast) -> None:
    response = api.as_user(cast.ada).post(URL, {"file": "x"}, format="json")
    assert response.status_code == 415


def test_an_oversized_upload_is_refused(api, cast, settings) -> None:
    settings.WARDEN_MAX_VERIFY_BYTES = 1024 * 1024
    response = verify(api, cast.ada, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "limit" in response.json()["file"][0]


def test_the_command_says_valid_and_exits_0(card: Report, tmp_path: Path) -> None:
    path = tmp_path / "card.pdf"
    path.write_bytes(card.file.read())
    out = io.StringIO()
    call_command("verify_pdf", str(path), stdout=out)
    assert out.getvalue().startswith("VALID: intact, signed by")
    assert card.record in out.getvalue()


def test_the_command_says_not_valid_and_exits_1(card: Report, tmp_path: Path) -> None:
    path = tmp_path / "card.pdf"
    path.write_bytes(card.file.read()[:-4000])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_pdf", str(path), "--json", stdout=out)
    assert exit_.value.code == 1
    assert json.loads(out.getvalue())["valid"] is False


def test_the_command_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("verify_pdf", str(tmp_path / "missing.pdf"))

"""The answer to "is this PDF one of ours, intact, and which record is it?", for the verify
endpoint and `manage.py verify_pdf`. Read-only; every input gets an answer, never an error."""

from __future__ import annotations

from typing import Any

from reports.errors import SigningUnavailable
from reports.models import Report
from reports.pdf.verify import verify_pdf
from reports.signer import organisation_signer


def pdf_check(data: bytes) -> dict[str, Any]:
    """Verify the signature, then look the record up: valid means intact, signed by a key we
    sign with (now or on an earlier record), and byte for byte the file on record."""
    try:
        trusted = [organisation_signer().certificate]
    except SigningUnavailable:
        trusted = []  # a broken key setting must not stop anyone verifying
    checked = verify_pdf(data, trusted_certificates=trusted)
    report = _report_for(checked.record)
    ours = bool(checked.ours) or bool(
        checked.intact
        and checked.signer_fingerprint
        and Report.objects.filter(signer_fingerprint=checked.signer_fingerprint).exists()
    )
    hash_matches = (report.sha256 == checked.sha256) if report else None
    valid = bool(checked.intact and ours and hash_matches)
    return {
        "valid": valid,
        "reason": _reason(checked, ours, report, hash_matches),
        "is_pdf": checked.is_pdf,
        "signed": checked.signed,
        "intact": checked.intact,
        "ours": ours if checked.signed else None,
        "signer": checked.signer,
        "signer_fingerprint": checked.signer_fingerprint,
        "signed_at": checked.signed_at.isoformat() if checked.signed_at else None,
        "record": checked.record,
        "sha256": checked.sha256,
        "on_record": report is not None,
        "hash_matches": hash_matches,
        "report": _describe(report) if report else None,
    }


def _report_for(record: str | None) -> Report | None:
    if not record:
        return None
    return Report.objects.select_related("version__model").filter(record=record).first()


def _reason(checked: Any, ours: bool, report: Report | None, hash_matches: bool | None) -> str:
    if not checked.intact:
        return checked.reason
    if not ours:
        return f"intact, but signed by {checked.signer}, whose key is not one Warden signs with"
    if report is None:
        return f"intact and signed by our key, but no record {checked.record!r} is on file"
    if not hash_matches:
        return "intact and signed, but not the file on record: its sha256 differs"
    return f"intact, signed by {checked.signer}, and the file on record as {report.record}"


def _describe(report: Report) -> dict[str, Any]:
    version = report.version
    return {
        "kind": report.kind,
        "model": version.model.slug if version else None,
        "version": version.version if version else None,
        "signed_at": report.signed_at.isoformat(),
        "signer": report.signer_name,
        "development_key": report.is_development_key,
        "sha256": report.sha256,
        "trail_head_seq": report.trail_head_seq,
        "trail_head_hash": report.trail_head_hash,
    }

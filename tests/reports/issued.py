"""Builders for the report tests: approved versions (whose cards the approval hook issues) and
the poppler tools the tests read PDFs with."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from governance import decisions
from governance.models import ModelVersion, User
from reports import content
from reports.models import Report
from tests.factories import PASSWORD, submitted_version_make


def approve(version: ModelVersion, *officers: User) -> ModelVersion:
    """Each officer signs an approval (tier 1 needs two); run inside
    django_capture_on_commit_callbacks(execute=True) for the card to be issued."""
    for officer in officers:
        decisions.decision_record(
            actor=officer,
            version=version,
            decision="approve",
            meaning="approval",
            password=PASSWORD,
        )
    version.refresh_from_db()
    return version


def approved_version(cast, capture, tier: int = 2, slug: str = "credit-default") -> ModelVersion:  # type: ignore[no-untyped-def]
    """erin's audited version, approved by rita (and raj for tier 1), its card issued."""
    version = submitted_version_make(cast.erin, tier=tier, slug=slug)
    officers = (cast.rita, cast.raj) if tier == 1 else (cast.rita,)
    with capture(execute=True):
        return approve(version, *officers)


def current_card_on_record(version) -> Report:  # type: ignore[no-untyped-def]
    """A Report row standing for a card of the version's current state, so reading it renders
    nothing (what the card holds is tested in test_model_card)."""
    report = Report(
        kind="model_card",
        version=version,
        record="model-card:credit-default:1.0.0:stub",
        sha256="0" * 64,
        size=9,
        signer_name="stub",
        signer_fingerprint="0" * 64,
        is_development_key=True,
        signed_at=timezone.now(),
        trail_head_seq=0,
        trail_head_hash="0" * 64,
        state_sha256=content.state_sha256(content.card_facts(version)),
    )
    report.file.save("stub.pdf", ContentFile(b"%PDF-stub"), save=True)
    return report


def poppler(tool: str, *args: str) -> str:
    """Run a poppler-utils tool (apt: poppler-utils, which CI installs) and return its output."""
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} not found: CI must install poppler-utils")
        pytest.skip(f"{tool} not found: apt-get install poppler-utils")
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout + done.stderr


def pdf_text(pdf: bytes, folder: Path) -> str:
    """The PDF's text as pdftotext reads it, with runs of white space made single spaces."""
    path = folder / "text.pdf"
    path.write_bytes(pdf)
    return " ".join(poppler("pdftotext", "-layout", str(path), "-").split())


def pdfsig(pdf: bytes, folder: Path) -> str:
    path = folder / "signed.pdf"
    path.write_bytes(pdf)
    return poppler("pdfsig", "-no-ocsp", str(path))

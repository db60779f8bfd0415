"""Issuing signed documents. Each issue renders and signs outside any transaction (seconds of
work must not hold the trail's lock), then stores the file and its Report row and records one
trail event in one transaction, then signs a trail checkpoint of the head that includes it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from governance.checkpoints import trail_checkpoint_take
from governance.models import EventVerb, ModelVersion, User
from governance.trail import event_record, snapshot
from reports import annex_iv, compliance, content, documents
from reports.models import Report, ReportKind
from reports.permissions import require_issue_card, require_read_portfolio
from reports.scope import WHOLE, Scope
from reports.signer import organisation_signer

ISSUED_VERBS = {
    ReportKind.MODEL_CARD: EventVerb.MODEL_CARD_ISSUED,
    ReportKind.COMPLIANCE: EventVerb.COMPLIANCE_ISSUED,
    ReportKind.ANNEX_IV: EventVerb.ANNEX_IV_ISSUED,
}
# A version document's record prefix and what its file name adds after the version.
VERSION_DOCUMENT_NAMES = {
    ReportKind.MODEL_CARD: ("model-card", ""),
    ReportKind.ANNEX_IV: ("annex-iv", "-annex-iv"),
}
REPORT_FIELDS = [
    "kind",
    "version",
    "record",
    "file",
    "sha256",
    "size",
    "signer_name",
    "signer_fingerprint",
    "is_development_key",
    "signed_at",
    "trail_head_seq",
    "trail_head_hash",
    "state_sha256",
]


def model_card_issue(*, actor: User | None, version: ModelVersion) -> Report:
    """Render, sign and store a new model card of `version` (actor None: the worker)."""
    if actor is not None:
        require_issue_card(actor, version.model)
    return _model_card_make(actor, version)


def model_card_current(version: ModelVersion) -> Report | None:
    """The newest card that states the version as it is now, if one was issued."""
    state = content.state_sha256(content.card_facts(version))
    reports = Report.objects.filter(kind=ReportKind.MODEL_CARD, version=version)
    return reports.filter(state_sha256=state).order_by("-signed_at", "-id").first()


def _model_card_make(actor: User | None, version: ModelVersion) -> Report:
    facts = content.card_facts(version)
    results = dict(content.audit_documents(version))
    return _version_document(
        actor,
        version,
        ReportKind.MODEL_CARD,
        facts,
        lambda issue: documents.model_card_pdf(facts, results, issue),
    )


def annex_iv_issue(*, actor: User, version: ModelVersion) -> Report:
    """Render, sign and store the version's Annex IV technical documentation as it is now
    (issued by whoever may issue its model card)."""
    require_issue_card(actor, version.model)
    facts = annex_iv.annex_iv_facts(version)
    return _version_document(
        actor,
        version,
        ReportKind.ANNEX_IV,
        facts,
        lambda issue: documents.annex_iv_pdf(facts, issue),
    )


def _version_document(
    actor: User | None,
    version: ModelVersion,
    kind: ReportKind,
    facts: Mapping[str, Any],
    render: Callable[[documents.Issue], bytes],
) -> Report:
    """Issue one document of a version: its record and file named by kind, model and version."""
    prefix, label = VERSION_DOCUMENT_NAMES[kind]
    issue = _issue(f"{prefix}:{version.model.slug}:{version.version}")
    pdf = render(issue)
    name = f"{version.model.slug}-{version.version}{label}-{issue.record.rsplit(':', 1)[1]}.pdf"
    state = content.state_sha256(facts)
    return _store(actor, issue, pdf, name, kind=kind, version=version, state_sha256=state)


def compliance_report_issue(*, actor: User, scope: Scope = WHOLE) -> Report:
    """Render, sign and store the compliance report of `scope` of the portfolio as it is now."""
    require_read_portfolio(actor)
    return compliance_report_sign(actor=actor, portfolio=compliance.portfolio(scope=scope))


def compliance_report_sign(*, actor: User, portfolio: Mapping[str, Any]) -> Report:
    """Render, sign and store the compliance report of portfolio facts already gathered (by a
    caller that uses them for more than the PDF)."""
    require_read_portfolio(actor)
    issue = _issue("compliance")
    pdf = documents.compliance_pdf(portfolio, compliance.portfolio_csv(portfolio), issue)
    name = f"compliance-{issue.issued_at:%Y%m%dT%H%M%SZ}-{issue.record.rsplit(':', 1)[1]}.pdf"
    return _store(actor, issue, pdf, name, kind=ReportKind.COMPLIANCE, version=None)


def _issue(prefix: str) -> documents.Issue:
    """A fresh record name and the signer, time and trail head the document will state."""
    seq, head = content.trail_head()
    return documents.Issue(
        record=f"{prefix}:{uuid.uuid4().hex[:12]}",
        signer=organisation_signer(),
        trail_head_seq=seq,
        trail_head_hash=head,
        issued_at=timezone.now().replace(microsecond=0),
    )


def _store(
    actor: User | None, issue: documents.Issue, pdf: bytes, name: str, **fields: Any
) -> Report:
    report = Report(
        record=issue.record,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        signer_name=issue.signer.name,
        signer_fingerprint=issue.signer.fingerprint_sha256,
        is_development_key=issue.signer.is_development_key,
        signed_at=issue.issued_at,
        trail_head_seq=issue.trail_head_seq,
        trail_head_hash=issue.trail_head_hash,
        issued_by=actor,
        **fields,
    )
    with transaction.atomic():
        report.file.save(get_valid_filename(name), ContentFile(pdf), save=False)
        report.save()
        event_record(
            actor=actor,
            verb=ISSUED_VERBS[ReportKind(report.kind)],
            target=report,
            after=snapshot(report, REPORT_FIELDS),
            note=f"signed by {report.signer_name}"
            + (" (development key)" if report.is_development_key else ""),
        )
    # At once when no outer transaction is open; else once it commits, so the checkpoint never
    # states a head that could still roll back.
    transaction.on_commit(partial(trail_checkpoint_take, reason=f"document {report.record}"))
    return report

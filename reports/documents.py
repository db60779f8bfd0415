"""The documents as PDF: facts -> HTML template -> PDF/A-3b (with the result documents
attached) -> signed. No database access: callers gather the facts (reports.content,
reports.compliance) and choose the record, so the benchmark renders the very same path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string

import digests
from reports.compliance_sections import Part, compliance_sections
from reports.content import audit_sections

if TYPE_CHECKING:
    from reports.pdf.render import PageSpan
    from reports.pdf.signing import Signer

# Charts a card shows when the audit measured them; named on the card when it did not.
ARTIFACT_MEASURES = (("robustness", "Robustness by perturbation size"),)


@dataclass(frozen=True)
class Issue:
    """Who signs a document, as which record, when, and the trail head it attests to."""

    record: str
    signer: Signer
    trail_head_seq: int
    trail_head_hash: str
    issued_at: datetime

    def context(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "issued_at": f"{self.issued_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
            "signer_name": self.signer.name,
            "signer_fingerprint": self.signer.fingerprint_sha256,
            "development_key": self.signer.is_development_key,
            "trail_head_seq": self.trail_head_seq,
            "trail_head_hash": self.trail_head_hash,
        }


def model_card_html(
    facts: Mapping[str, Any], documents: Mapping[int, Mapping[str, Any]], issue: Issue
) -> str:
    """The card's HTML: the facts, the shown audit's checks with their charts, the signing."""
    shown_id = facts.get("shown_audit_id")
    shown = next((a for a in facts["audits"] if a["id"] == shown_id), None)
    document = documents.get(shown_id) if shown_id is not None else None
    sections = audit_sections(document)
    llm = (document or {}).get("task") == "llm"  # the artifact checks do not apply to an LLM
    drawn = {chart["title"] for s in sections for chart in s["charts"] if chart["svg"]}
    measured = {s["id"] for s in sections}
    not_measured = [title for check_id, title in ARTIFACT_MEASURES if check_id not in measured]
    if "Feature importance" not in drawn:
        not_measured.append("Feature importance")
    return render_to_string(
        "reports/model_card.html",
        {
            **issue.context(),
            "facts": facts,
            "version_status": facts["version"].get("status_code", ""),
            "shown_audit": shown,
            "other_audits": [a for a in facts["audits"] if a["id"] != shown_id],
            "sections": sections,
            "open_incidents": sum(1 for i in facts["incidents"] if i["status"] != "Closed"),
            "not_measured": not_measured if shown and not llm else [],
            "attachments": [attachment_name(pk) for pk in documents],
        },
    )


def model_card_pdf(
    facts: Mapping[str, Any], documents: Mapping[int, Mapping[str, Any]], issue: Issue
) -> bytes:
    """The signed card, every completed audit's result document attached as JSON."""
    from reports.pdf.render import PdfAttachment, PdfMetadata, render_pdf  # WeasyPrint: slow

    model, version = facts["model"], facts["version"]
    attachments = [
        PdfAttachment(
            attachment_name(pk),
            digests.canonical_json(dict(document)).encode(),
            description=f"Audit #{pk} result document of {model['slug']} {version['version']}",
        )
        for pk, document in documents.items()
    ]
    metadata = PdfMetadata(
        title=f"Model card: {model['name']} {version['version']}",
        record=issue.record,
        author=issue.signer.name,
        subject=f"Model card of {model['slug']} version {version['version']}",
        keywords=["model card", model["slug"], version["version"]],
        created=issue.issued_at,
    )
    pdf = render_pdf(
        model_card_html(facts, documents, issue), metadata=metadata, attachments=attachments
    )
    return issue.signer.sign(pdf, reason=f"Model card {issue.record} issued by Warden")


def compliance_html(
    portfolio: Mapping[str, Any],
    issue: Issue,
    section: Sequence[Part],
    number: int,
    page_span: PageSpan | None = None,
) -> str:
    """The HTML of section `number` (from 0) of the compliance report, holding `section`."""
    return render_to_string(
        "reports/compliance.html",
        {
            **issue.context(),
            "p": portfolio,
            "parts": section,
            "continued": number > 0,
            "page_span": page_span,
        },
    )


def compliance_pdf(portfolio: Mapping[str, Any], csv_text: str, issue: Issue) -> bytes:
    """The signed compliance report, its portfolio CSV attached; rendered in sections of at
    most WARDEN_COMPLIANCE_SECTION_ROWS rows (reports.compliance_sections) joined into one."""
    from reports.pdf.render import PdfAttachment, PdfMetadata, render_sections_pdf  # WeasyPrint

    sections = compliance_sections(portfolio, settings.WARDEN_COMPLIANCE_SECTION_ROWS)
    metadata = PdfMetadata(
        title="Compliance report",
        record=issue.record,
        author=issue.signer.name,
        subject="Model portfolio: inventory, approvals, revalidations, audits, incidents, trail",
        keywords=["compliance report"],
        created=issue.issued_at,
    )
    attachments = [
        PdfAttachment(
            "portfolio.csv", csv_text.encode(), mime="text/csv", description="The portfolio, CSV"
        )
    ]
    pdf = render_sections_pdf(
        [partial(compliance_html, portfolio, issue, parts, n) for n, parts in enumerate(sections)],
        metadata=metadata,
        attachments=attachments,
    )
    return issue.signer.sign(pdf, reason=f"Compliance report {issue.record} issued by Warden")


def attachment_name(run_id: int) -> str:
    return f"audit-{run_id}-result.json"


def annex_iv_pdf(facts: Mapping[str, Any], issue: Issue) -> bytes:
    """The signed Annex IV technical documentation, its coverage attached as JSON."""
    from reports.pdf.render import PdfAttachment, PdfMetadata, render_pdf  # WeasyPrint: slow

    model, version = facts["card"]["model"], facts["card"]["version"]
    html = render_to_string("reports/annex_iv.html", {**issue.context(), "f": facts})
    metadata = PdfMetadata(
        title=f"Annex IV technical documentation: {model['name']} {version['version']}",
        record=issue.record,
        author=issue.signer.name,
        subject=f"EU AI Act Annex IV documentation of {model['slug']} {version['version']}",
        keywords=["Annex IV", "technical documentation", model["slug"], version["version"]],
        created=issue.issued_at,
    )
    coverage = PdfAttachment(
        "coverage.json",
        digests.canonical_json(dict(facts["coverage"])).encode(),
        description=f"Regulation coverage of {model['slug']} {version['version']}",
    )
    pdf = render_pdf(html, metadata=metadata, attachments=[coverage])
    return issue.signer.sign(pdf, reason=f"Annex IV documentation {issue.record} issued by Warden")

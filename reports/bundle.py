"""The regulator's evidence bundle: one ZIP with every issued model card, a freshly signed
compliance report and its CSV, every audit result document, every approval and incident, the
red-team register (texts in full), the trail export with its verification, and a manifest of
every file's sha256 (manifest.json, and SHA256SUMS so `sha256sum -c SHA256SUMS` checks the lot
with standard tools). A scope (reports.scope) narrows every record bound to a model; the
trail, its checkpoints and the rules are the portfolio's and always whole. Written entry by
entry, models read in chunks, so memory stays flat however large the portfolio."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, Any

from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q
from django.utils import timezone

import digests
from audits.models import AuditRun, RunStatus
from governance.checkpoints import SIGNATURE_SUFFIX, checkpoint_files
from governance.models import (
    Approval,
    Attestation,
    Incident,
    PolicyVersion,
    QuestionnaireVersion,
    RedTeamCampaign,
    User,
)
from governance.organisation_key import organisation_key
from governance.selectors import finding_list
from reports import compliance
from reports.bundle_records import (
    approvals,
    events,
    file_name,
    incidents,
    red_team,
    reports,
    rule,
)
from reports.findings import attestation_facts, finding_facts
from reports.models import Report, ReportKind
from reports.permissions import require_read_portfolio
from reports.scope import WHOLE, Scope
from reports.services import compliance_report_sign
from reports.zip_entries import Entries, json_array, json_bytes

# Models written (with their versions' documents and audit results prefetched) per round trip.
CHUNK = 100
# The folder of each kind of version document in the bundle.
VERSION_FOLDERS = {ReportKind.MODEL_CARD: "model-cards", ReportKind.ANNEX_IV: "annex-iv"}
README = """Warden evidence bundle, made {made} by {actor}, of {scope}.
What is bound to a model covers the models and versions of that scope; the rules and the
trail are the whole portfolio's.

model-cards/       every model card issued, signed PDF/A-3b (check with pdfsig, or any PDF reader)
annex-iv/          every Annex IV technical documentation issued, signed the same way
compliance/        the compliance report signed for this bundle, and the portfolio as CSV
audits/            every completed audit's result document (canonical JSON; its result_sha256
                   is the sha256 of the document without that key), and each re-judgement of
                   it under another policy version (audit-<run>-rejudged-<id>.json)
rules/              every policy and questionnaire version (content, sha256, status, who proposed
                   it, the approving signature, in force from); audits and assessments name theirs
approvals.json     every signed decision with its manifestation and what it was signed over
incidents.json     every incident with its authority reports
findings.json      every validation finding with its remediations (evidence by sha256) and
                   the approvals that accepted it
attestations.json  every owner's signed attestation and what it covered
red-team.json      every red-team campaign with its attempts, prompts and replies in full (harmful
                   ones too: the bundle is for regulators and for those who may read them), each
                   text's sha256 as the trail's red_team_attempt_logged event recorded it, and
                   the ids of the findings raised from it
reports.json       every document issued: record, sha256, signer, trail head at signing
trail/events.jsonl the trail, one event per line, each with its hash and the previous hash
trail/verification.json  the trail verified when the bundle was made
trail/checkpoints/ every signed checkpoint of the trail head (<seq>-<time>.json, with a detached
                   .sig by the organisation's key: RSA PKCS#1 v1.5 or ECDSA, SHA-256)
trail/organisation-certificate.pem  the certificate the checkpoints verify against
manifest.json, SHA256SUMS  the sha256 of every other file: sha256sum -c SHA256SUMS
"""


def evidence_bundle(*, actor: User) -> IO[bytes]:
    """The whole portfolio's bundle in a temporary file (rewound, deleted on close), for the
    synchronous download."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; the response closes it
    evidence_bundle_write(actor=actor, target=target)
    target.seek(0)
    return target


def evidence_bundle_write(
    *,
    actor: User,
    target: IO[bytes],
    scope: Scope = WHOLE,
    on_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Write the bundle of `scope` to `target`; returns the compliance report signed for it.
    `on_progress(done, total)` hears as the models' documents are written."""
    require_read_portfolio(actor)
    portfolio = compliance.portfolio(scope=scope)
    report = compliance_report_sign(actor=actor, portfolio=portfolio)
    versions = scope.versions()
    models = scope.models()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = Entries(archive)
        made = timezone.now().strftime("%Y-%m-%d %H:%M:%S UTC")
        readme = README.format(made=made, actor=actor.printed_name, scope=scope.describe())
        entries.add("README.txt", readme.encode())
        with report.file.open("rb") as handle:
            entries.copy(f"compliance/{file_name(report)}", handle)
        entries.add("compliance/portfolio.csv", compliance.portfolio_csv(portfolio).encode())
        _models_write(entries, scope, on_progress)
        for folder, kind in (("policies", PolicyVersion), ("questionnaires", QuestionnaireVersion)):
            for record in kind.objects.select_related("proposed_by").order_by("proposed_at", "id"):
                entries.add(
                    f"rules/{folder}/{record.name}-{record.version}.json", json_bytes(rule(record))
                )
        chosen_approvals = Approval.objects.filter(version__in=versions)
        entries.write("approvals.json", json_array(approvals(chosen_approvals)))
        touched = Incident.objects.filter(versions__in=versions).values("pk")
        entries.write(
            "incidents.json", json_array(incidents(Incident.objects.filter(pk__in=touched)))
        )
        findings = finding_list().filter(model__in=models).prefetch_related("acceptances")
        entries.add("findings.json", json_bytes(finding_facts(findings.order_by("id"))))
        signed = Attestation.objects.filter(model__in=models).select_related("model")
        entries.add(
            "attestations.json", json_bytes(attestation_facts(signed.order_by("signed_at", "id")))
        )
        campaigns = RedTeamCampaign.objects.filter(version__in=versions)
        entries.write("red-team.json", json_array(red_team(campaigns)))
        documents = Report.objects.filter(Q(version__in=versions) | Q(version__isnull=True))
        entries.write("reports.json", json_array(reports(documents)))
        entries.write("trail/events.jsonl", events())
        entries.add("trail/verification.json", json_bytes(compliance.trail_facts()))
        for name in checkpoint_files():
            for stored in (name, name + SIGNATURE_SUFFIX):
                with default_storage.open(stored, "rb") as handle:
                    entries.copy(f"trail/checkpoints/{stored.rsplit('/', 1)[-1]}", handle)
        certificate = organisation_key().certificate.public_bytes(Encoding.PEM)
        entries.add("trail/organisation-certificate.pem", certificate)
        manifest = {
            "made_at": made,
            "made_by": actor.printed_name,
            "scope": scope.to_json(),
            "files": [{"name": n, "sha256": h, "size": s} for n, h, s in entries.sums],
        }
        archive.writestr("manifest.json", json_bytes(manifest))
        archive.writestr("SHA256SUMS", "".join(f"{h}  {n}\n" for n, h, _ in entries.sums))
    return report


def _models_write(
    entries: Entries, scope: Scope, on_progress: Callable[[int, int], None] | None
) -> None:
    """Each model's version documents, audit result documents and re-judgements, a chunk of
    models (with theirs prefetched) at a time."""
    runs = AuditRun.objects.filter(status=RunStatus.COMPLETED).order_by("id")
    issued = Report.objects.filter(kind__in=list(VERSION_FOLDERS)).order_by("signed_at", "id")
    versions = scope.versions().prefetch_related(
        Prefetch("reports", queryset=issued),
        Prefetch("audit_runs", queryset=runs.prefetch_related("rejudgements")),
    )
    models = scope.models().prefetch_related(Prefetch("versions", queryset=versions))
    total = models.count()
    for done, model in enumerate(models.iterator(chunk_size=CHUNK), start=1):
        for version in model.versions.all():
            for document in version.reports.all():
                folder = VERSION_FOLDERS[ReportKind(document.kind)]
                with document.file.open("rb") as handle:
                    entries.copy(f"{folder}/{file_name(document)}", handle)
            folder = f"audits/{model.slug}/{version.version}"
            for run in version.audit_runs.all():
                entries.add(f"{folder}/audit-{run.pk}.json", _canonical(run.result or {}))
                for judged in sorted(run.rejudgements.all(), key=lambda j: j.pk):
                    name = f"{folder}/audit-{run.pk}-rejudged-{judged.pk}.json"
                    entries.add(name, _canonical(judged.result))
        if on_progress is not None and (done % CHUNK == 0 or done == total):
            on_progress(done, total)


def _canonical(document: dict[str, Any]) -> bytes:
    return digests.canonical_json(document).encode()

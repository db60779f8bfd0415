"""LLM audits (issue #16): a person's request, then the worker's side. A run of an endpoint
version probes the endpoint (its limits from the descriptor, the secret its ``secret_ref`` names
read from the worker's environment at call time only), stores the transcripts as a set of the
version, and scores only that file; a run over a transcripts set just scores it. Re-scoring a
stored run's transcripts reproduces its ``result_sha256`` (``llm_rescore``)."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from audits.artifact_rules import CHAT, artifact_can, endpoint_load
from audits.battery import BatteryInputError, Problem
from audits.battery.llm import runner, transcripts
from audits.battery.llm.pack import load_pack
from audits.battery.llm.probes import CHECK_IDS, MEMORIZATION, Probe, build_probes
from audits.models import AuditRun, EvaluationSet, RunStatus, SetRole
from audits.red_team import red_team_probes
from audits.services import runs
from audits.services.evaluation_sets import SET_FIELDS
from audits.transcript_sets import TRANSCRIPTS_FORMAT, TRANSCRIPTS_MAPPING
from governance.artifacts import ArtifactRefused
from governance.errors import InvalidInput
from governance.models import EventVerb, ModelVersion, User
from governance.permissions import require_start_audit
from governance.stored_files import stored_uri
from governance.trail import event_record, snapshot

# Calls between heartbeats: a long probe must not look like a dead worker to the sweeper.
PROBE_BATCH = 50
# Memorization needs the version's training texts, which a live probe does not have.
LIVE_CHECKS = tuple(c for c in CHECK_IDS if c != MEMORIZATION)


def llm_extra_probes(version: ModelVersion) -> list[dict]:
    """Probes (``Probe.to_json``) every live audit of ``version`` sends after the pack's: the
    red-team register's promoted attempts, so every later audit re-tries them."""
    return red_team_probes(version)


def llm_audit_request(
    *,
    actor: User,
    version: ModelVersion,
    evaluation_set: EvaluationSet | None,
    reference_set: EvaluationSet | None = None,
    training_set: EvaluationSet | None = None,
) -> AuditRun:
    """Queue an LLM audit: of the endpoint itself (no set; the worker probes it) or over one of
    the version's transcripts sets. Reference and training sets have no part in it."""
    require_start_audit(actor, version)
    runs.require_tier(version)
    if reference_set is not None or training_set is not None:
        field = "reference_set" if reference_set is not None else "training_set"
        raise InvalidInput("an LLM audit scores transcripts only; leave this out", field=field)
    if evaluation_set is None and not artifact_can(version.artifact_format, CHAT):
        raise InvalidInput("name a current evaluation set of this version", field="evaluation_set")
    if evaluation_set is not None and not (
        evaluation_set.is_transcripts
        and evaluation_set.version_id == version.pk
        and evaluation_set.role == SetRole.CURRENT
    ):
        raise InvalidInput(
            "an LLM endpoint version is probed (leave evaluation_set out) or audited over one of "
            "its transcripts sets",
            field="evaluation_set",
        )
    return runs.audit_run_queue(
        actor=actor,
        version=version,
        evaluation_set=evaluation_set,
        reference_set=None,
        with_model=evaluation_set is None,
    )


def llm_audit_execute(*, run_id: int, attempt: int) -> str:
    """The worker's LLM audit of a claimed run: probe first when it has no transcripts yet,
    then score the stored file and complete the run (errored with the reason on bad input)."""
    run = _running(run_id, attempt)
    if run is None:
        return "skipped: superseded"
    try:
        if run.evaluation_set is None:
            data = _probe(run)
            if not transcripts_record(run_id=run_id, attempt=attempt, data=data):
                return "skipped: superseded"
            run = AuditRun.objects.select_related("evaluation_set").get(pk=run_id)
        document = llm_document(run)
    except (BatteryInputError, ArtifactRefused) as error:
        runs.audit_run_error(run_id=run_id, attempt=attempt, reason=str(error))
        return "errored: bad input"
    except TranscriptsChanged as changed:
        runs.audit_run_integrity_error(run_id=run_id, attempt=attempt, problems=[str(changed)])
        return "errored: a file changed since upload"
    completed = runs.audit_run_complete(run_id=run_id, attempt=attempt, document=document)
    return "completed" if completed else "skipped: completed elsewhere"


class TranscriptsChanged(Exception):
    """The stored transcripts no longer match the sha256 recorded with their set."""


def llm_document(run: AuditRun) -> dict:
    """The sealed document from the run's stored transcripts, read once and checked against the
    set's sha256 (TranscriptsChanged when they differ), under the run's tier."""
    current = run.evaluation_set
    assert current is not None
    with default_storage.open(current.original.name or "", "rb") as handle:
        data = handle.read()
    found = hashlib.sha256(data).hexdigest()
    if found != current.original_sha256:
        raise TranscriptsChanged(
            f"evaluation set #{current.pk} ({current.name}) no longer matches its upload: "
            f"sha256 {found}, not {current.original_sha256}"
        )
    return runner.score(data, run.tier)


def llm_rescore(run: AuditRun) -> dict:
    """Score a completed LLM run's stored transcripts again: the document, whose
    ``result_sha256`` equals the run's while the transcripts are the ones scored (read only)."""
    if run.status != RunStatus.COMPLETED or not run.scores_transcripts:
        raise InvalidInput(f"audit #{run.pk} is not a completed LLM audit", field="run")
    return llm_document(run)


def transcripts_record(*, run_id: int, attempt: int, data: bytes) -> bool:
    """Store a live probe's transcripts as a current set of the run's version (evidence, with
    its sha256) and make it the run's set, with its event; False (nothing kept) when the attempt
    is stale."""
    run = AuditRun.objects.select_related("version__model").get(pk=run_id)
    version = run.version
    stamp = f"{timezone.now():%Y%m%d%H%M%S%f}"
    folder = f"evaluation-sets/{version.model.slug}/{version.version}/{stamp}"
    name = default_storage.save(f"{folder}/transcripts-audit-{run_id}.jsonl", ContentFile(data))
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            return _transcripts_set(run_id, attempt, version, name, sha256, data)
    except BaseException:
        default_storage.delete(name)
        raise


def _transcripts_set(
    run_id: int, attempt: int, version: ModelVersion, name: str, sha256: str, data: bytes
) -> bool:
    locked = AuditRun.objects.select_for_update().get(pk=run_id)
    if locked.requested_by_id is None:
        raise InvalidInput("an LLM audit is requested by a person", field="run")
    if locked.status != RunStatus.RUNNING or locked.attempt != attempt:
        transaction.on_commit(lambda: default_storage.delete(name))
        return False
    recorded = EvaluationSet.objects.create(
        version=version,
        name=f"transcripts of audit #{run_id} (live probe)",
        role=SetRole.CURRENT,
        original=name,
        original_format=TRANSCRIPTS_FORMAT,
        original_sha256=sha256,
        original_size=len(data),
        parquet=name,
        parquet_sha256=sha256,
        mapping=dict(TRANSCRIPTS_MAPPING),
        rows=len(transcripts.loads(data)),
        columns=[],
        uploaded_by_id=locked.requested_by_id,
    )
    locked.evaluation_set = recorded
    locked.save(update_fields=["evaluation_set"])
    event_record(
        actor=None,
        verb=EventVerb.EVALUATION_SET_UPLOADED,
        target=recorded,
        after=snapshot(recorded, SET_FIELDS),
        note=f"recorded by the live probe of audit #{run_id}",
    )
    return True


def _running(run_id: int, attempt: int) -> AuditRun | None:
    return (
        AuditRun.objects.select_related("version", "evaluation_set")
        .filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING)
        .first()
    )


def _probe(run: AuditRun) -> bytes:
    """The JSONL of one attempt per probe (the pack's, seeded by the run, then the version's
    extra probes), sent PROBE_BATCH at a time with a heartbeat between batches."""
    target = endpoint_load(stored_uri(run.version.artifact.name))  # the allow-list as it is now
    probes = build_probes(load_pack(), run.pk, checks=LIVE_CHECKS)
    probes += [Probe.from_json(p) for p in llm_extra_probes(run.version)]
    if len(probes) > target.limits.max_calls:
        raise BatteryInputError(
            Problem("limits.max_calls", f"{len(probes)} probes exceed {target.limits.max_calls}")
        )
    recorded: list[transcripts.Transcript] = []
    for start in range(0, len(probes), PROBE_BATCH):
        recorded += runner.probe(target, probes[start : start + PROBE_BATCH])
        runs.audit_run_progress(
            run_id=run.pk,
            attempt=run.attempt,
            progress={"stage": "probing", "calls_done": len(recorded), "calls_total": len(probes)},
        )
    return transcripts.dumps(recorded)

"""The bridge from audit runs to the battery: the run's spec, its chunk jobs, and the merge.

A run's jobs are the current set's chunks followed by the reference set's, numbered from 0;
each job is one Celery task, and the merge takes each role's statistics in job order, exactly
as the battery's own single-process `run` does."""

from collections.abc import Callable
from typing import Any

from django.conf import settings

from audits import battery
from audits.battery.policy import BATCH
from audits.intake import ARCHIVE_FORMATS
from audits.models import AuditRun, SetRole
from audits.policies import policy_of
from governance.artifacts import stored_sha256
from governance.stored_files import stored_uri


def run_spec(run: AuditRun) -> dict[str, Any]:
    """The battery's spec for the run, as the JSON kept on the run: its Parquet copies,
    mapping, tier, the policy version it is judged under, and (for the model checks) the
    version's artifact and the training sample; the documents name the original uploads'
    sha256, not the copies'."""
    current, reference, training = run.evaluation_set, run.reference_set, run.training_set
    assert current is not None  # only an LLM run has none, and it is not chunked
    version = run.version
    model: dict[str, Any] = {}
    options: dict[str, Any] = {}
    if current.original_format in ARCHIVE_FORMATS:  # read under the limits it was taken in by
        options["archive_limits"] = settings.WARDEN_ARCHIVE_LIMITS
    if current.role == SetRole.BATCH:  # a monitor's production rows: judged on what it measures
        options["scope"] = BATCH
    if run.with_model:
        model = {
            "model": stored_uri(version.artifact.name),
            "model_format": version.artifact_format,
            "model_sha256": version.artifact_sha256,
            "train": stored_uri(training.parquet.name) if training else None,
            "train_sha256": training.original_sha256 if training else None,
        }
        options.update(settings.WARDEN_MODEL_CHECK_OPTIONS)
    spec = battery.prepare(
        stored_uri(current.parquet.name),
        current.mapping,
        reference=stored_uri(reference.parquet.name) if reference else None,
        tier=run.tier,
        rows_per_chunk=settings.WARDEN_AUDIT_CHUNK_ROWS,
        data_sha256=current.original_sha256,
        reference_sha256=reference.original_sha256 if reference else None,
        options=options,
        policy=policy_of(run.policy) if run.policy else None,
        **model,
    )
    return spec.resolved().to_json()


def integrity_problems(run: AuditRun) -> list[str]:
    """Each file the run reads (the version's artifact for the model checks, each set's Parquet
    copy) that is gone or no longer matches the sha256 recorded on upload; [] when all match.
    Checked before a worker uses them, so a replaced file is never audited under the old hash."""
    files: list[tuple[str, str, str]] = [
        (f"evaluation set #{s.pk} ({s.name})", s.parquet.name or "", s.parquet_sha256)
        for s in (run.evaluation_set, run.reference_set, run.training_set)
        if s is not None
    ]
    if run.with_model:
        version = run.version
        files.insert(0, (f"the artifact of version {version.version}", version.artifact.name or "",
                         version.artifact_sha256))  # fmt: skip
    problems = []
    for what, name, expected in files:
        try:
            found = stored_sha256(name)
        except OSError:
            problems.append(f"{what} is missing from storage")
            continue
        if found != expected:
            problems.append(f"{what} no longer matches its upload: sha256 {found}, not {expected}")
    return problems


def chunk_jobs(wire: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """(role, [start, stop]) for every chunk of the run, current set first."""
    spec = battery.RunSpec.from_json(wire)
    roles = ["current"] + (["reference"] if spec.reference else [])
    return [(role, chunk) for role in roles for chunk in battery.chunks(spec, role)]


def job_statistics(wire: dict[str, Any], index: int) -> dict:
    """The statistics of the run's chunk job number `index`."""
    role, chunk = chunk_jobs(wire)[index]
    return battery.chunk_statistics(battery.RunSpec.from_json(wire), role, chunk)


def document_from(
    wire: dict[str, Any],
    stats_by_index: dict[int, dict],
    progress: Callable[[dict], None] | None = None,
) -> dict:
    """Merge every job's statistics role by role in job order and finalise the document."""
    by_role: dict[str, list[dict]] = {"current": [], "reference": []}
    for index, (role, _) in enumerate(chunk_jobs(wire)):
        by_role[role].append(stats_by_index[index])
    current = battery.merge_statistics(by_role["current"])
    reference = battery.merge_statistics(by_role["reference"]) if by_role["reference"] else None
    return battery.finalize(battery.RunSpec.from_json(wire), current, reference, progress)

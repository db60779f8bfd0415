"""Evaluation sets, audit runs, the per-chunk statistics of distributed runs, and monitors."""

from django.conf import settings
from django.db import models

from governance.models import MLModel, ModelVersion


class SetRole(models.TextChoices):
    CURRENT = "current", "Current (the set the version is judged on)"
    REFERENCE = "reference", "Reference (the baseline drift is measured against)"
    TRAINING = "training", "Training sample (for membership inference)"


# The evaluation-set kind of a JSONL file of LLM exchanges (mapping {"kind": "transcripts"}):
# uploaded, or recorded by a live probe of an endpoint version. Other sets are tables/archives.
TRANSCRIPTS = "transcripts"


class EvaluationSet(models.Model):
    """An uploaded CSV or Parquet file, a ZIP / NPZ of images or arrays with its manifest, or a
    JSONL file of LLM transcripts, validated on upload. The original is kept with its sha256; a
    Parquet copy is what audits read (an archive or transcripts file is read as uploaded:
    `parquet` names it)."""

    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="evaluation_sets"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=SetRole.choices)
    # Both files are stored, and named, by audits.services.evaluation_set_upload.
    original = models.FileField(max_length=400)
    original_format = models.CharField(max_length=10)
    original_sha256 = models.CharField(max_length=64)
    original_size = models.PositiveBigIntegerField()
    parquet = models.FileField(max_length=400)
    # The copy's own sha256: workers check it before reading the copy (engine.integrity_problems).
    parquet_sha256 = models.CharField(max_length=64, default="")
    mapping = models.JSONField()
    rows = models.PositiveBigIntegerField()
    columns = models.JSONField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role}, {self.rows} rows)"

    @property
    def is_transcripts(self) -> bool:
        """Whether the set is LLM transcripts (scored by the LLM checks, not the tabular ones)."""
        return self.mapping.get("kind") == TRANSCRIPTS


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    ERRORED = "errored", "Errored"


RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.ERRORED}),
    RunStatus.RUNNING: frozenset({RunStatus.QUEUED, RunStatus.COMPLETED, RunStatus.ERRORED}),
    RunStatus.COMPLETED: frozenset(),
    RunStatus.ERRORED: frozenset(),
}
# Statuses a run never leaves: it has finished, and a worker holding it skips it.
TERMINAL_RUN_STATUSES = frozenset(s for s, moves in RUN_TRANSITIONS.items() if not moves)


class Verdict(models.TextChoices):
    """The result document's overall status under the policy (`error`: a required check raised)."""

    PASS = "pass", "Pass"
    WARN = "warn", "Warn"
    FAIL = "fail", "Fail"
    ERROR = "error", "Error"


class AuditRun(models.Model):
    """One run of the battery on a version's evaluation set (and reference set) under one
    policy; a run probing an LLM endpoint has no set until the worker records its transcripts.
    `attempt` grows each time a worker claims the run, so only the latest claim may finish it;
    `heartbeat_at` lets a sweeper spot a run whose worker died."""

    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="audit_runs")
    evaluation_set = models.ForeignKey(
        EvaluationSet, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_runs"
    )
    reference_set = models.ForeignKey(
        EvaluationSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The model checks query the version's artifact; a training sample adds membership inference.
    with_model = models.BooleanField(default=True)
    training_set = models.ForeignKey(
        EvaluationSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.PositiveSmallIntegerField()
    policy_name = models.CharField(max_length=100)
    policy_version = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    spec = models.JSONField(null=True, blank=True)
    progress = models.JSONField(default=dict)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    verdict = models.CharField(max_length=5, choices=Verdict.choices, blank=True)
    error = models.TextField(blank=True)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"audit #{self.pk} of {self.version}"

    @property
    def scores_transcripts(self) -> bool:
        """An LLM audit: it probes the version's endpoint (no set yet) or scores a transcripts
        set, with the LLM checks only."""
        return self.evaluation_set is None or self.evaluation_set.is_transcripts

    @property
    def is_finished(self) -> bool:
        """Completed or errored: nothing changes the run any more."""
        return self.status in TERMINAL_RUN_STATUSES


class ChunkStats(models.Model):
    """The mergeable statistics one worker computed over one chunk of a run's rows, kept so a
    worker's death loses only its own chunk and the merge happens once all are in."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="chunk_stats")
    attempt = models.PositiveIntegerField()
    index = models.PositiveIntegerField()
    stats = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "attempt", "index"], name="one_stats_per_chunk_and_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of audit #{self.run_id} (attempt {self.attempt})"


class Monitor(models.Model):
    """A scheduled monitoring audit: every `every_hours`, Celery beat audits the version's
    current evaluation set for drift against its reference set."""

    model = models.ForeignKey(MLModel, on_delete=models.CASCADE, related_name="monitors")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+")
    evaluation_set = models.ForeignKey(EvaluationSet, on_delete=models.PROTECT, related_name="+")
    reference_set = models.ForeignKey(EvaluationSet, on_delete=models.PROTECT, related_name="+")
    every_hours = models.PositiveIntegerField(default=24)
    active = models.BooleanField(default=True)
    last_run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"monitor of {self.version} every {self.every_hours} h"

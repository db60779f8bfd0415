"""Evaluation sets, audit runs, the per-chunk statistics of distributed runs, and monitors."""

from django.conf import settings
from django.db import models

from governance.models import MLModel, ModelVersion, PolicyVersion


class SetRole(models.TextChoices):
    CURRENT = "current", "Current (the set the version is judged on)"
    REFERENCE = "reference", "Reference (the baseline drift is measured against)"
    TRAINING = "training", "Training sample (for membership inference)"
    BATCH = "batch", "Monitor batch (production rows a monitor received)"


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
    # the policy version in force when the run was requested: the worker judges under it
    policy = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_runs"
    )
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


class Rejudgement(models.Model):
    """A completed run's measurements judged again under another policy version, nothing
    recomputed: its own sealed document (the run's metrics, the new statuses and breaches) with
    its own sha256, pointing at the run, which keeps its original document and verdict."""

    run = models.ForeignKey(AuditRun, on_delete=models.PROTECT, related_name="rejudgements")
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    tier = models.PositiveSmallIntegerField()
    result = models.JSONField()
    result_sha256 = models.CharField(max_length=64)
    verdict = models.CharField(max_length=5, choices=Verdict.choices)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    judged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-judged_at", "-id"]

    def __str__(self) -> str:
        return f"audit #{self.run_id} re-judged under {self.result['policy']['version']}"


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
    """A monitor of a version against its reference set. With an evaluation set, Celery beat
    re-audits that set every `every_hours`; with a batch mapping (and its row id column) it
    audits the production batches it receives (audits.monitoring), pushed or pulled."""

    model = models.ForeignKey(MLModel, on_delete=models.CASCADE, related_name="monitors")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+")
    evaluation_set = models.ForeignKey(
        EvaluationSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference_set = models.ForeignKey(EvaluationSet, on_delete=models.PROTECT, related_name="+")
    every_hours = models.PositiveIntegerField(default=24)
    active = models.BooleanField(default=True)
    last_run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Batch monitors: the batches' mapping (no label: its stand-in is named by
    # audits.monitoring.batches), their row id column, and an allow-listed source to pull from.
    batch_mapping = models.JSONField(null=True, blank=True)
    row_id = models.CharField(max_length=200, blank=True)
    pull_from = models.CharField(max_length=1000, blank=True)
    # CBPE fitted once on the reference (audits.monitoring.estimates.ReferenceFit), or why not
    cbpe = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"monitor of {self.version} every {self.every_hours} h"

    @property
    def takes_batches(self) -> bool:
        """Whether the monitor audits received batches (else it re-audits one fixed set)."""
        return self.batch_mapping is not None


class MonitorBatch(models.Model):
    """One production batch a monitor received: its rows as a stored set (taken in by the
    evaluation-set intake), the audit of it against the reference, and, once labels arrive,
    the labelled copy and its audit (performance, fairness, calibration)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.PROTECT, related_name="batches")
    evaluation_set = models.ForeignKey(EvaluationSet, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    labelled_set = models.ForeignKey(
        EvaluationSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    labelled_run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # what the label join found: {"matched", "unknown_ids": [...], "duplicate_ids": [...], ...}
    labels_report = models.JSONField(null=True, blank=True)
    # when each audit's figures went into the history (once: a redelivered task finds it set)
    measured_at = models.DateTimeField(null=True, blank=True)
    labels_measured_at = models.DateTimeField(null=True, blank=True)
    # why the batch has no estimated performance (CBPE), when it has none
    estimate_refused = models.TextField(blank=True)
    batch_time = models.DateTimeField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch_time", "id"]

    def __str__(self) -> str:
        return f"batch #{self.pk} of monitor #{self.monitor_id}"


class PointKind(models.TextChoices):
    ESTIMATED = "estimated", "Estimated (no labels yet, e.g. CBPE)"
    REALISED = "realised", "Realised (measured on the batch's rows or labels)"


class MetricPoint(models.Model):
    """One headline figure of one batch: the monitor's history, one narrow row per metric
    (and feature or group), indexed for `monitor, metric, time` range reads."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="points")
    batch = models.ForeignKey(MonitorBatch, on_delete=models.CASCADE, related_name="points")
    metric = models.CharField(max_length=100)
    # the feature or group a figure is of; NULL for a headline figure ("" could be a column)
    subject = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    value = models.FloatField()
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    kind = models.CharField(max_length=9, choices=PointKind.choices)
    batch_time = models.DateTimeField()

    class Meta:
        ordering = ["batch_time", "id"]
        indexes = [
            models.Index(fields=["monitor", "metric", "batch_time"]),
            # the newest point of a monitor: the key of its drawn charts (monitoring.series)
            models.Index(fields=["monitor", "id"], name="audits_point_monitor_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.metric}[{self.subject or ''}]={self.value:g} ({self.kind})"

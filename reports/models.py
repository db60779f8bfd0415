"""Signed documents issued by Warden (model cards, compliance reports and Annex IV technical
documentation) and the portfolio jobs that build reports and evidence bundles on the workers."""

from django.conf import settings
from django.db import models

from governance.models import ModelVersion
from reports.scope import Scope


class ReportKind(models.TextChoices):
    MODEL_CARD = "model_card", "Model card"
    COMPLIANCE = "compliance", "Compliance report"
    ANNEX_IV = "annex_iv", "Annex IV technical documentation"


def report_upload_to(instance: "Report", filename: str) -> str:
    """One file per record; the record is unique, so files never collide."""
    return f"reports/{instance.kind}/{filename}"


class Report(models.Model):
    """One signed PDF as issued: what it stands for (`record`, also written into the PDF), its
    sha256, who signed it and when, and the trail head it attests to. Never changed: a new
    state of the version means a new card."""

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    record = models.CharField(max_length=200, unique=True)
    file = models.FileField(upload_to=report_upload_to, max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    signer_name = models.CharField(max_length=300)
    signer_fingerprint = models.CharField(max_length=64, db_index=True)
    is_development_key = models.BooleanField()
    signed_at = models.DateTimeField()
    trail_head_seq = models.PositiveBigIntegerField()
    trail_head_hash = models.CharField(max_length=64)
    # sha256 of what the document shows of the registry, to tell whether it is still current.
    state_sha256 = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["version", "state_sha256"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record}"


class JobKind(models.TextChoices):
    """What a portfolio job builds."""

    COMPLIANCE = "compliance", "Compliance report"
    EVIDENCE = "evidence", "Evidence bundle"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# running -> running: a redelivered task (its worker was lost) builds again as a new attempt.
JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset({JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED}),
    JobStatus.DONE: frozenset(),
    JobStatus.FAILED: frozenset(),
}
TERMINAL_JOB_STATUSES = frozenset(s for s, moves in JOB_TRANSITIONS.items() if not moves)


def job_upload_to(instance: "ReportJob", filename: str) -> str:
    return f"report-jobs/{instance.pk}/{filename}"


class ReportJob(models.Model):
    """A compliance report or evidence bundle of a scope of the portfolio, built by a worker.
    `items_done / items_total` counts the models in scope; `attempt` fences a redelivered build
    so only the newest claim may report progress or finish. The result is in storage (for a
    compliance report, the signed Report's own file)."""

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    team = models.ForeignKey(
        "governance.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    period_from = models.DateTimeField(null=True, blank=True)
    period_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempt = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    items_total = models.PositiveIntegerField(default=0)
    result = models.FileField(upload_to=job_upload_to, max_length=300, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} job #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL_JOB_STATUSES

    @property
    def is_done(self) -> bool:
        """Built: its file is in storage and may be downloaded."""
        return self.status == JobStatus.DONE

    @property
    def scope(self) -> Scope:
        return Scope(
            team=self.team.slug if self.team else None,
            tier=self.tier,
            since=self.period_from,
            until=self.period_until,
        )

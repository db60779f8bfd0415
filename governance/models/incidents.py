"""Incidents against models and versions, with the EU AI Act Art. 73 reporting deadline."""

from django.conf import settings
from django.db import models

from governance.models.registry import ModelVersion


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical (suspends the affected versions)"


class IncidentCategory(models.TextChoices):
    PERFORMANCE = "performance", "Performance"
    DRIFT = "drift", "Drift"
    BIAS = "bias", "Bias"
    SECURITY = "security", "Security"
    PRIVACY = "privacy", "Privacy"
    OUTAGE = "outage", "Outage"
    OTHER = "other", "Other"


class SeriousKind(models.TextChoices):
    """EU AI Act Art. 73 serious-incident kinds; each sets the days to report to the authority."""

    GENERAL = "general", "Serious incident (15 days)"
    DEATH = "death", "Death of a person (10 days)"
    WIDESPREAD_OR_CRITICAL_INFRASTRUCTURE = (
        "widespread_or_critical_infrastructure",
        "Widespread infringement or critical infrastructure disruption (2 days)",
    )


REPORTING_DAYS = {
    SeriousKind.GENERAL: 15,
    SeriousKind.DEATH: 10,
    SeriousKind.WIDESPREAD_OR_CRITICAL_INFRASTRUCTURE: 2,
}


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    MITIGATED = "mitigated", "Mitigated"
    CLOSED = "closed", "Closed"


_I = IncidentStatus
INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    _I.OPEN: frozenset({_I.INVESTIGATING, _I.CLOSED}),
    _I.INVESTIGATING: frozenset({_I.MITIGATED, _I.CLOSED}),
    _I.MITIGATED: frozenset({_I.INVESTIGATING, _I.CLOSED}),
    _I.CLOSED: frozenset(),
}


class Incident(models.Model):
    """Something that went wrong with a model in use, tracked to closure; a serious incident
    carries the date by which it must be reported to the market surveillance authority."""

    title = models.CharField(max_length=200)
    versions = models.ManyToManyField(ModelVersion, related_name="incidents")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    category = models.CharField(max_length=20, choices=IncidentCategory.choices)
    description = models.TextField(max_length=10000)
    aware_at = models.DateTimeField()
    serious_kind = models.CharField(max_length=40, choices=SeriousKind.choices, blank=True)
    report_deadline = models.DateTimeField(null=True, blank=True)
    deadline_reminded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=15, choices=IncidentStatus.choices, default=_I.OPEN)
    corrective_actions = models.TextField(max_length=10000, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_incidents",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A risk officer's signed finding that a serious incident need not be reported (Art. 73),
    # with its reason: the alternative to an AuthorityReport before closing.
    not_reportable_reason = models.TextField(max_length=10000, blank=True)
    not_reportable_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    not_reportable_by_name = models.CharField(max_length=200, blank=True)
    not_reportable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-aware_at", "-id"]

    def __str__(self) -> str:
        return f"incident #{self.pk}: {self.title}"

    @property
    def is_serious(self) -> bool:
        return bool(self.serious_kind)

    @property
    def report_settled(self) -> bool:
        """A serious incident was reported to an authority or signed off as not reportable
        (a non-serious one has nothing to settle)."""
        if not self.is_serious:
            return True
        return self.not_reportable_at is not None or self.reports.exists()


class AuthorityReport(models.Model):
    """A report of an incident made to an authority, and when."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    authority = models.CharField(max_length=200)
    reported_at = models.DateTimeField()
    reference = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return f"report of #{self.incident_id} to {self.authority}"

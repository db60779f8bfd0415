"""The red-team register: campaigns people run against a version and the attempts they log.

An attempt is evidence: what was sent and what came back are written once, by the service that
logs it, and never changed (corrections are new attempts, or a withdrawal on the trail). What
happens to it afterwards (reproduced, promoted to the probe set, an incident) is added beside."""

from django.conf import settings
from django.db import models

from governance.models.incidents import Incident, IncidentCategory
from governance.models.registry import ModelVersion


class AttackCategory(models.TextChoices):
    PROMPT_INJECTION = "prompt_injection", "Prompt injection"
    JAILBREAK = "jailbreak", "Jailbreak"
    SYSTEM_PROMPT_LEAKAGE = "system_prompt_leakage", "System-prompt leakage"
    PII_LEAKAGE = "pii_leakage", "Personal-data leakage"
    HARMFUL_CONTENT = "harmful_content", "Harmful content"
    HALLUCINATION = "hallucination", "Hallucination"
    OTHER = "other", "Other"


# Categories whose prompts and replies may carry harmful instructions: shown masked to readers
# without the right to see them in full, and re-judged without a marker by a refusal at the start.
HARMFUL_CATEGORIES = frozenset({AttackCategory.JAILBREAK, AttackCategory.HARMFUL_CONTENT})

# The incident category an attempt reported as an incident is filed under.
INCIDENT_CATEGORY_OF = {
    AttackCategory.PROMPT_INJECTION: IncidentCategory.SECURITY,
    AttackCategory.JAILBREAK: IncidentCategory.SECURITY,
    AttackCategory.SYSTEM_PROMPT_LEAKAGE: IncidentCategory.PRIVACY,
    AttackCategory.PII_LEAKAGE: IncidentCategory.PRIVACY,
    AttackCategory.HARMFUL_CONTENT: IncidentCategory.SECURITY,
    AttackCategory.HALLUCINATION: IncidentCategory.PERFORMANCE,
    AttackCategory.OTHER: IncidentCategory.OTHER,
}


class AttackSeverity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class RedTeamCampaign(models.Model):
    """People trying to break one version, over a stretch of time, within a stated scope."""

    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="red_team_campaigns"
    )
    name = models.CharField(max_length=200)
    scope = models.TextField(max_length=10000, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="red_team_campaigns")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"red-team campaign #{self.pk}: {self.name}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class RedTeamAttempt(models.Model):
    """One thing tried in a campaign and what the version replied; append-only evidence."""

    campaign = models.ForeignKey(RedTeamCampaign, on_delete=models.PROTECT, related_name="attempts")
    prompt = models.TextField(max_length=20000)
    system = models.TextField(max_length=20000, blank=True)
    context = models.TextField(max_length=50000, blank=True)
    reply = models.TextField(max_length=50000)
    category = models.CharField(max_length=30, choices=AttackCategory.choices)
    severity = models.CharField(max_length=10, choices=AttackSeverity.choices)
    succeeded = models.BooleanField()
    success_marker = models.CharField(max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField()
    # None: nobody has tried to reproduce it yet.
    reproduced = models.BooleanField(null=True, blank=True)
    reproduced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reproduced_at = models.DateTimeField(null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="red_team_attempts",
    )
    withdrawn_reason = models.TextField(max_length=10000, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["logged_at", "id"]

    def __str__(self) -> str:
        return f"red-team attempt #{self.pk} ({self.category}, {self.severity})"

    @property
    def is_harmful(self) -> bool:
        return self.category in HARMFUL_CATEGORIES

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def promotion_refusal(self) -> str:
        """Why this attempt cannot join the version's probe set; empty when it can."""
        if self.is_withdrawn:
            return "a withdrawn attempt is not re-tried"
        if not self.succeeded:
            return "only a successful attack is re-tried by later audits"
        if self.promoted_at is not None:
            return "the attempt is in the version's probe set already"
        if not self.success_marker.strip() and not self.is_harmful:
            return (
                "name a success marker: without one only a jailbreak or harmful-content attempt "
                "can be judged again (by whether the reply refuses)"
            )
        return ""

"""The inventory: models, their risk assessments and their versions."""

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from governance.models.accounts import Team


class ModelType(models.TextChoices):
    CLASSIFICATION = "classification", "Classification"
    REGRESSION = "regression", "Regression"
    RANKING = "ranking", "Ranking"
    LLM = "llm", "Large language model"
    OTHER = "other", "Other"


class RegulatoryRegime(models.TextChoices):
    EU_AI_ACT = "eu_ai_act", "EU AI Act"
    SR_11_7 = "sr_11_7", "US SR 11-7 model risk management"
    FDA_21_CFR_11 = "fda_21_cfr_11", "FDA 21 CFR Part 11"
    GDPR = "gdpr", "GDPR"
    NONE = "none", "None"


class MLModel(models.Model):
    """A machine-learning model in the inventory: what it is for, who owns it, its risk tier."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    purpose = models.TextField(max_length=5000)
    intended_use = models.TextField(max_length=5000, blank=True)
    out_of_scope_uses = models.TextField(max_length=5000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_models"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="models")
    model_type = models.CharField(max_length=20, choices=ModelType.choices)
    is_vendor = models.BooleanField(default=False)
    vendor_name = models.CharField(max_length=200, blank=True)
    regulatory_regimes = models.JSONField(default=list, blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    risk_tier = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    risk_assessment = models.ForeignKey(
        "RiskAssessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the attestation clock last restarted: the later of the model's latest approving
    # decision and its latest attestation (governance.attestations), kept here as each is
    # signed so the gate and the risk officer's home read one indexed column instead of
    # aggregating every signature of a portfolio.
    attestation_clock_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "ML model"
        indexes = [models.Index(fields=["risk_tier", "attestation_clock_at"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, leaving the attestation clock to its keeper (governance.attestations writes it
        with an UPDATE): a copy read before a signature, saved after it, never turns it back."""
        whole = kwargs.get("update_fields") is None and not kwargs.get("force_insert")
        if whole and not self._state.adding:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "attestation_clock_at"
            ]
        super().save(*args, **kwargs)


class ImpactOnPeople(models.TextChoices):
    NONE = "none", "No effect on people"
    LOW = "low", "Minor, easily reversed effects"
    SIGNIFICANT = "significant", "Significant effects (access to services, money, jobs)"
    SEVERE = "severe", "Severe effects (health, safety, liberty, legal status)"


class DecisionAutonomy(models.TextChoices):
    ADVISORY = "advisory", "Advisory: a person decides"
    HUMAN_IN_THE_LOOP = "human_in_the_loop", "A person reviews each decision"
    AUTOMATED = "automated", "Automated: no person reviews the decision"


class DataSensitivity(models.TextChoices):
    PUBLIC = "public", "Public data"
    INTERNAL = "internal", "Internal, non-personal data"
    PERSONAL = "personal", "Personal data"
    SPECIAL_CATEGORY = "special_category", "Special-category personal data (GDPR Art. 9)"


class DecisionScale(models.TextChoices):
    LIMITED = "limited", "Under 1,000 decisions a year"
    MODERATE = "moderate", "1,000 to 100,000 decisions a year"
    LARGE = "large", "Over 100,000 decisions a year"


class RegulatoryArea(models.TextChoices):
    NONE = "none", "Not in a regulated area"
    OTHER_REGULATED = "other_regulated", "Another regulated area"
    CREDIT = "credit", "Credit and banking (model risk guidance)"
    MEDICAL_DEVICE = "medical_device", "Medical device software"
    EU_AI_ACT_ANNEX_III = "eu_ai_act_annex_iii", "EU AI Act Annex III high-risk use"


class RiskAssessment(models.Model):
    """One filled risk questionnaire, the tier it computes with its rationale, and an optional
    override by a named risk officer with a reason. Never edited: a new assessment replaces it."""

    model = models.ForeignKey(MLModel, on_delete=models.PROTECT, related_name="assessments")
    impact_on_people = models.CharField(max_length=20, choices=ImpactOnPeople.choices)
    decision_autonomy = models.CharField(max_length=20, choices=DecisionAutonomy.choices)
    data_sensitivity = models.CharField(max_length=20, choices=DataSensitivity.choices)
    decision_scale = models.CharField(max_length=20, choices=DecisionScale.choices)
    regulatory_area = models.CharField(max_length=30, choices=RegulatoryArea.choices)
    # the questionnaire version that scored the answers (null only before versions existed)
    questionnaire = models.ForeignKey(
        "governance.QuestionnaireVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    computed_tier = models.PositiveSmallIntegerField()
    rationale = models.TextField()
    override_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    override_by_name = models.CharField(max_length=200, blank=True)
    tier = models.PositiveSmallIntegerField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.model} tier {self.tier} ({self.assessed_at:%Y-%m-%d})"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    DEPLOYED = "deployed", "Deployed"
    SUSPENDED = "suspended", "Suspended"
    RETIRED = "retired", "Retired"


_S = VersionStatus
# The version lifecycle (DESIGN §4): from-status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    _S.DRAFT: frozenset({_S.SUBMITTED, _S.RETIRED}),
    # submitted -> suspended only while revalidating (ModelVersion.is_live; lifecycle guards it)
    _S.SUBMITTED: frozenset(
        {_S.APPROVED, _S.REJECTED, _S.CHANGES_REQUESTED, _S.SUSPENDED, _S.RETIRED}
    ),
    _S.CHANGES_REQUESTED: frozenset({_S.DRAFT, _S.RETIRED}),
    # approved | deployed -> submitted: revalidation, with a new audit (DESIGN §11)
    _S.APPROVED: frozenset({_S.DEPLOYED, _S.SUBMITTED, _S.SUSPENDED, _S.RETIRED}),
    _S.DEPLOYED: frozenset({_S.SUBMITTED, _S.SUSPENDED, _S.RETIRED}),
    _S.SUSPENDED: frozenset({_S.APPROVED, _S.RETIRED}),
    _S.REJECTED: frozenset({_S.RETIRED}),
    _S.RETIRED: frozenset(),
}
# Statuses in which the version's content may still change.
EDITABLE_STATUSES = frozenset({_S.DRAFT})
# Statuses of an approved version in use; a submitted one is live too while it is resubmitted
# for revalidation and its approval runs (only such a submitted version has an expiry: a
# negative decision clears it).
APPROVED_STATUSES = frozenset({_S.APPROVED, _S.DEPLOYED})
# Statuses waiting for a risk officer: a review, or re-approval after a suspension.
AWAITING_DECISION_STATUSES = frozenset({_S.SUBMITTED, _S.SUSPENDED})


def live_versions_filter() -> models.Q:
    """ModelVersion.is_live as a query filter."""
    return models.Q(status__in=APPROVED_STATUSES) | models.Q(
        status=_S.SUBMITTED, approval_expires_at__isnull=False
    )


class ArtifactFormat(models.TextChoices):
    SKOPS = "skops", "skops (scikit-learn, trusted types only)"
    ONNX = "onnx", "ONNX"
    # A JSON descriptor of an OpenAI-compatible chat endpoint (issue #16): probed, never loaded.
    LLM_ENDPOINT = "llm-endpoint", "LLM endpoint descriptor (OpenAI chat API)"


def artifact_upload_to(instance: "ModelVersion", filename: str) -> str:
    """A fresh folder per upload, so two versions' files never collide or overwrite."""
    return f"artifacts/{instance.model.slug}/{uuid.uuid4().hex}/{filename}"


class ModelVersion(models.Model):
    """One version of a model: its artifact (with sha256) and documentation; immutable once
    submitted. Its status follows TRANSITIONS."""

    model = models.ForeignKey(MLModel, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=64)
    artifact = models.FileField(upload_to=artifact_upload_to, max_length=300)
    artifact_sha256 = models.CharField(max_length=64)
    artifact_format = models.CharField(max_length=20, choices=ArtifactFormat.choices)
    artifact_size = models.PositiveBigIntegerField()
    training_data_description = models.TextField(max_length=10000, blank=True)
    limitations = models.TextField(max_length=10000, blank=True)
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approval_expires_at = models.DateTimeField(null=True, blank=True)
    revalidation_reminded_at = models.DateTimeField(null=True, blank=True)
    # When the current review began (submission, or suspension awaiting re-approval): only
    # approvals given since count towards it.
    review_started_at = models.DateTimeField(null=True, blank=True)
    # What the reviewers review: the audit the version was submitted with.
    submitted_audit_run_id = models.PositiveBigIntegerField(null=True, blank=True)
    submitted_audit_sha256 = models.CharField(max_length=64, blank=True)
    # For an LLM version, the sha256 of the transcripts that audit scored ("" otherwise).
    submitted_transcripts_sha256 = models.CharField(max_length=64, blank=True, default="")
    # Set when a worker found a file of this version (its artifact or an evaluation set) no
    # longer matching the sha256 recorded on upload: the gate refuses the version while set.
    integrity_alert = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["model", "-created_at", "-id"]
        # the review queue, the live versions and their revalidations select by status and
        # expiry on portfolios of tens of thousands of versions
        indexes = [models.Index(fields=["status", "approval_expires_at"])]
        constraints = [
            models.UniqueConstraint(fields=["model", "version"], name="unique_version_per_model")
        ]

    def __str__(self) -> str:
        return f"{self.model.slug} {self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_revalidating(self) -> bool:
        """Resubmitted for revalidation while its earlier approval still has an expiry."""
        return self.status == VersionStatus.SUBMITTED and self.approval_expires_at is not None

    @property
    def is_live(self) -> bool:
        """Approved and in use (deployable until its expiry), revalidating included."""
        return self.status in APPROVED_STATUSES or self.is_revalidating

    @property
    def awaits_decision(self) -> bool:
        """In the review queue: submitted, or suspended and waiting to be approved again."""
        return self.status in AWAITING_DECISION_STATUSES

    def approval_lapsed(self, now: datetime | None = None) -> bool:
        """Its approval's expiry has come: the gate refuses it, and if it is live its
        revalidation is overdue."""
        expires = self.approval_expires_at
        return expires is not None and expires <= (now or timezone.now())

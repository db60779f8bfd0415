"""The trail: an append-only, hash-chained record of every write."""

from django.conf import settings
from django.db import models


class EventVerb(models.TextChoices):
    """Every verb the trail records, named once. The value is the past-tense string stored on
    the event (and covered by its hash), so it never changes; the label is for people."""

    # accounts
    USER_CREATED = "user_created", "User created"
    USER_UPDATED = "user_updated", "User updated"
    USER_ROLES_CHANGED = "user_roles_changed", "User's roles changed"
    USER_FLAGS_CHANGED = "user_flags_changed", "User's access flags changed"
    USER_PASSWORD_CHANGED = "user_password_changed", "User's password changed"
    SIGNATURE_REFUSED = "signature_refused", "Signature refused (wrong password)"
    SSO_LOGIN_REFUSED = "sso_login_refused", "Single sign-on refused"
    REAUTHENTICATED = "reauthenticated", "Re-authenticated at the identity provider to sign"
    # registry
    TEAM_CREATED = "team_created", "Team created"
    TEAM_UPDATED = "team_updated", "Team updated"
    MODEL_REGISTERED = "model_registered", "Model registered"
    MODEL_UPDATED = "model_updated", "Model updated"
    CUSTOM_FIELD_DEFINED = "custom_field_defined", "Custom field defined"
    MODEL_FIELDS_SET = "model_fields_set", "Model's custom fields set"
    MODEL_TAGS_SET = "model_tags_set", "Model's tags set"
    RISK_ASSESSED = "risk_assessed", "Risk assessed"
    RISK_TIER_OVERRIDDEN = "risk_tier_overridden", "Risk tier overridden"
    VERSION_CREATED = "version_created", "Version created"
    VERSION_UPDATED = "version_updated", "Version updated"
    VERSION_INTEGRITY_FAILED = "version_integrity_failed", "Version artifact failed its check"
    # lifecycle and decisions
    VERSION_SUBMITTED = "version_submitted", "Version submitted for review"
    VERSION_REOPENED = "version_reopened", "Version reopened as a draft"
    VERSION_SUSPENDED = "version_suspended", "Version suspended"
    VERSION_RETIRED = "version_retired", "Version retired"
    VERSION_DEPLOYED = "version_deployed", "Version deployed"
    REVALIDATION_REMINDER_SENT = "revalidation_reminder_sent", "Revalidation reminder sent"
    APPROVAL_GRANTED = "approval_granted", "Approval granted"
    APPROVAL_GRANTED_WITH_CONDITIONS = (
        "approval_granted_with_conditions",
        "Approval granted with conditions",
    )
    VERSION_REJECTED = "version_rejected", "Version rejected"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    # the rules themselves (policy and questionnaire versions)
    POLICY_PROPOSED = "policy_proposed", "Policy version proposed"
    POLICY_APPROVED = "policy_approved", "Policy version approved"
    POLICY_WITHDRAWN = "policy_withdrawn", "Policy version withdrawn"
    QUESTIONNAIRE_PROPOSED = "questionnaire_proposed", "Questionnaire version proposed"
    QUESTIONNAIRE_APPROVED = "questionnaire_approved", "Questionnaire version approved"
    QUESTIONNAIRE_WITHDRAWN = "questionnaire_withdrawn", "Questionnaire version withdrawn"
    # incidents
    INCIDENT_REPORTED = "incident_reported", "Incident reported"
    INCIDENT_UPDATED = "incident_updated", "Incident updated"
    INCIDENT_FOUND_NOT_REPORTABLE = "incident_found_not_reportable", "Incident found not reportable"
    INCIDENT_REPORTED_TO_AUTHORITY = (
        "incident_reported_to_authority",
        "Incident reported to the authority",
    )
    INCIDENT_DEADLINE_REMINDER_SENT = (
        "incident_deadline_reminder_sent",
        "Incident deadline reminder sent",
    )
    # findings
    FINDING_RAISED = "finding_raised", "Finding raised"
    FINDING_REMEDIATED = "finding_remediated", "Finding remediated"
    FINDING_CLOSED = "finding_closed", "Finding closed"
    FINDING_REOPENED = "finding_reopened", "Finding reopened"
    FINDING_OVERDUE_REMINDER_SENT = "finding_overdue_reminder_sent", "Overdue finding reminder sent"
    # attestations
    ATTESTATION_SIGNED = "attestation_signed", "Attestation signed"
    # red-teaming
    RED_TEAM_CAMPAIGN_STARTED = "red_team_campaign_started", "Red-team campaign started"
    RED_TEAM_CAMPAIGN_ENDED = "red_team_campaign_ended", "Red-team campaign ended"
    RED_TEAM_ATTEMPT_LOGGED = "red_team_attempt_logged", "Red-team attempt logged"
    RED_TEAM_ATTEMPT_REPRODUCED = "red_team_attempt_reproduced", "Red-team attempt re-tried"
    RED_TEAM_ATTEMPT_PROMOTED = (
        "red_team_attempt_promoted",
        "Red-team attempt added to the version's probe set",
    )
    RED_TEAM_ATTEMPT_WITHDRAWN = "red_team_attempt_withdrawn", "Red-team attempt withdrawn"
    RED_TEAM_ATTEMPT_INCIDENT_LINKED = (
        "red_team_attempt_incident_linked",
        "Red-team attempt reported as an incident",
    )
    # audits
    EVALUATION_SET_UPLOADED = "evaluation_set_uploaded", "Evaluation set uploaded"
    AUDIT_REQUESTED = "audit_requested", "Audit requested"
    AUDIT_STARTED = "audit_started", "Audit started"
    AUDIT_COMPLETED = "audit_completed", "Audit completed"
    AUDIT_ERRORED = "audit_errored", "Audit errored"
    AUDIT_REJUDGED = "audit_rejudged", "Audit re-judged under another policy"
    MONITOR_CREATED = "monitor_created", "Monitor created"
    MONITOR_ALERTED = "monitor_alerted", "Monitoring audit failed its policy"
    MONITOR_BATCH_RECEIVED = "monitor_batch_received", "Monitor batch received"
    MONITOR_BATCH_MEASURED = "monitor_batch_measured", "Monitor batch measured into its history"
    MONITOR_LABELS_RECEIVED = "monitor_labels_received", "Monitor batch labels received"
    # notifications (the outbox)
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint_created", "Webhook endpoint created"
    WEBHOOK_ENDPOINT_UPDATED = "webhook_endpoint_updated", "Webhook endpoint updated"
    EMAIL_SUBSCRIPTION_CREATED = "email_subscription_created", "E-mail subscription created"
    EMAIL_SUBSCRIPTION_UPDATED = "email_subscription_updated", "E-mail subscription updated"
    DELIVERY_DEAD_LETTERED = "delivery_dead_lettered", "Delivery given up (dead letter)"
    DELIVERY_REDELIVERED = "delivery_redelivered", "Delivery sent again"
    # the MLflow registry sync (governance.mlflow_sync)
    MLFLOW_VERSION_REFUSED = "mlflow_version_refused", "MLflow version not importable"
    MLFLOW_MODEL_REMOVED = "mlflow_model_removed", "MLflow model removed from its registry"
    MLFLOW_VERSION_REMOVED = "mlflow_version_removed", "MLflow version removed from its registry"
    MLFLOW_ALIAS_REFUSED = "mlflow_alias_refused", "MLflow alias not recorded as a deployment"
    # reports
    MODEL_CARD_ISSUED = "model_card_issued", "Model card issued"
    COMPLIANCE_ISSUED = "compliance_issued", "Compliance report issued"
    ANNEX_IV_ISSUED = "annex_iv_issued", "Annex IV technical documentation issued"
    REPORT_JOB_REQUESTED = "report_job_requested", "Portfolio job requested"
    REPORT_JOB_STARTED = "report_job_started", "Portfolio job started on a worker"
    REPORT_JOB_COMPLETED = "report_job_completed", "Portfolio job completed"
    REPORT_JOB_FAILED = "report_job_failed", "Portfolio job failed"


class Event(models.Model):
    """One thing that happened. `hash` = sha256(prev_hash + canonical JSON of the content), so
    altering, removing or inserting any row breaks the chain. Actor name and target repr are
    copied as text so the record survives the deletion of what it names."""

    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=200)
    verb = models.CharField(max_length=64, db_index=True, choices=EventVerb.choices)
    target_type = models.CharField(max_length=64, db_index=True)
    target_id = models.CharField(max_length=64, db_index=True)
    target_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.target_type}:{self.target_id}"


class TrailHead(models.Model):
    """The single row naming the newest event. Writers lock it to append one at a time (so the
    chain never forks), and verification compares against it to catch a truncated tail."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"

"""Routes of the registry API (DESIGN §8)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from governance.api import (
    attestations,
    findings,
    inventory,
    mlflow,
    outbox,
    review,
    rulebooks,
    views,
)

models_list = views.MLModelViewSet.as_view({"get": "list", "post": "create"})
model_detail = views.MLModelViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
risk = views.RiskAssessmentViewSet.as_view({"get": "list", "post": "create"})
risk_override = views.RiskAssessmentViewSet.as_view({"post": "override"})
versions_list = views.ModelVersionViewSet.as_view({"get": "list", "post": "create"})
version_detail = views.ModelVersionViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
events_list = views.EventViewSet.as_view({"get": "list"})
event_detail = views.EventViewSet.as_view({"get": "retrieve"})
events_verify = views.EventViewSet.as_view({"get": "verify"})
webhooks = outbox.WebhookEndpointViewSet.as_view({"get": "list", "post": "create"})
webhook = outbox.WebhookEndpointViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
email_list = outbox.EmailSubscriptionViewSet.as_view({"get": "list", "post": "create"})
email_detail = outbox.EmailSubscriptionViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update"}
)
deliveries = outbox.DeliveryViewSet.as_view({"get": "list"})
delivery_detail = outbox.DeliveryViewSet.as_view({"get": "retrieve"})
redeliver = outbox.DeliveryViewSet.as_view({"post": "redeliver"})

VERSION = "<slug:slug>/versions/<str:version>/"
decisions = review.DecisionViewSet.as_view({"get": "list", "post": "create"})
deployments = review.DeploymentViewSet.as_view({"get": "list", "post": "create"})
incidents_list = review.IncidentViewSet.as_view({"get": "list", "post": "create"})
incident_detail = review.IncidentViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
authority_reports = review.IncidentViewSet.as_view({"post": "authority_report"})
not_reportable = review.IncidentViewSet.as_view({"post": "not_reportable"})

findings_list = findings.FindingViewSet.as_view({"get": "list", "post": "create"})
finding_detail = findings.FindingViewSet.as_view({"get": "retrieve"})
finding_remediate = findings.FindingViewSet.as_view({"post": "remediate"})
finding_close = findings.FindingViewSet.as_view({"post": "close"})
finding_reopen = findings.FindingViewSet.as_view({"post": "reopen"})
model_attestations = attestations.AttestationViewSet.as_view({"get": "list", "post": "create"})

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("models/", models_list, name="model-list"),
    path("models/<slug:slug>/", model_detail, name="model-detail"),
    path("models/<slug:slug>/risk-assessment/", risk, name="model-risk-assessment"),
    path("models/<slug:slug>/fields/", inventory.model_fields, name="model-fields"),
    path("models/<slug:slug>/tags/", inventory.model_tags, name="model-tags"),
    path("custom-fields/", inventory.custom_fields, name="custom-field-list"),
    path("models/<slug:slug>/risk-tier-override/", risk_override, name="model-risk-override"),
    path("models/<slug:slug>/attestations/", model_attestations, name="model-attestations"),
    path("attestations/due/", attestations.attestations_due, name="attestations-due"),
    path("models/<slug:slug>/versions/", versions_list, name="version-list"),
    path(f"models/{VERSION}", version_detail, name="version-detail"),
    path(f"models/{VERSION}submit/", review.version_submit, name="version-submit"),
    path(f"models/{VERSION}reopen/", review.version_reopen, name="version-reopen"),
    path(f"models/{VERSION}suspend/", review.version_suspend, name="version-suspend"),
    path(f"models/{VERSION}retire/", review.version_retire, name="version-retire"),
    path(f"models/{VERSION}decisions/", decisions, name="version-decisions"),
    path(f"models/{VERSION}deployments/", deployments, name="version-deployments"),
    path("gate/", review.gate, name="gate"),
    path("mlflow/webhook/", mlflow.mlflow_webhook, name="mlflow-webhook"),
    path("revalidations/", review.revalidations, name="revalidations"),
    path("incidents/", incidents_list, name="incident-list"),
    path("incidents/<int:pk>/", incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/authority-reports/", authority_reports, name="incident-reports"),
    path("incidents/<int:pk>/not-reportable/", not_reportable, name="incident-not-reportable"),
    path("findings/", findings_list, name="finding-list"),
    path("findings/<int:pk>/", finding_detail, name="finding-detail"),
    path("findings/<int:pk>/remediations/", finding_remediate, name="finding-remediations"),
    path("findings/<int:pk>/close/", finding_close, name="finding-close"),
    path("findings/<int:pk>/reopen/", finding_reopen, name="finding-reopen"),
    path("events/", events_list, name="event-list"),
    path("events/verify/", events_verify, name="event-verify"),
    path("events/export.jsonl", outbox.events_export, name="event-export"),
    path("events/<int:seq>/", event_detail, name="event-detail"),
    path("webhooks/", webhooks, name="webhook-list"),
    path("webhooks/<int:pk>/", webhook, name="webhook-detail"),
    path("email-subscriptions/", email_list, name="email-subscription-list"),
    path("email-subscriptions/<int:pk>/", email_detail, name="email-subscription-detail"),
    path("deliveries/", deliveries, name="delivery-list"),
    path("deliveries/<int:pk>/", delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/redeliver/", redeliver, name="delivery-redeliver"),
]
rules = SimpleRouter()
rules.register("policies", rulebooks.PolicyVersionViewSet, basename="policy")
rules.register("questionnaires", rulebooks.QuestionnaireVersionViewSet, basename="questionnaire")
urlpatterns += rules.urls

"""Routes of the audits API (DESIGN §8)."""

from django.urls import path

from audits.api import views

VERSION = "models/<slug:slug>/versions/<str:version>/"
sets = views.EvaluationSetViewSet.as_view({"get": "list", "post": "create"})
version_audits = views.VersionAuditViewSet.as_view({"get": "list", "post": "create"})
monitors = views.MonitorViewSet.as_view({"get": "list", "post": "create"})
audit_detail = views.AuditRunViewSet.as_view({"get": "retrieve"})
audit_transcripts = views.AuditRunViewSet.as_view({"get": "transcripts"})

urlpatterns = [
    path(f"{VERSION}evaluation-sets/", sets, name="evaluation-set-list"),
    path(f"{VERSION}audits/", version_audits, name="version-audit-list"),
    path(f"{VERSION}monitors/", monitors, name="monitor-list"),
    path("audits/<int:pk>/", audit_detail, name="audit-detail"),
    path("audits/<int:pk>/transcripts/", audit_transcripts, name="audit-transcripts"),
]

"""Routes of the audits API (DESIGN §8)."""

from django.urls import path

from audits.api import monitors as monitor_views
from audits.api import red_team, views

VERSION = "models/<slug:slug>/versions/<str:version>/"
sets = views.EvaluationSetViewSet.as_view({"get": "list", "post": "create"})
version_audits = views.VersionAuditViewSet.as_view({"get": "list", "post": "create"})
monitors = views.MonitorViewSet.as_view({"get": "list", "post": "create"})
audit_detail = views.AuditRunViewSet.as_view({"get": "retrieve"})
audit_transcripts = views.AuditRunViewSet.as_view({"get": "transcripts"})
campaigns = red_team.RedTeamCampaignViewSet.as_view({"get": "list", "post": "create"})
campaign_detail = red_team.RedTeamCampaignViewSet.as_view({"get": "retrieve"})
campaign_end = red_team.RedTeamCampaignViewSet.as_view({"post": "end"})
attempts = red_team.RedTeamAttemptViewSet.as_view({"get": "list", "post": "create"})
CAMPAIGN = f"{VERSION}red-team/campaigns/<int:campaign>/"
ATTEMPT = "red-team/attempts/<int:pk>/"
attempt_views = red_team.RedTeamAttemptActionViewSet.as_view
audit_rejudge = views.AuditRunViewSet.as_view({"post": "rejudge"})
monitor_batches = monitor_views.MonitorBatchViewSet.as_view({"get": "list", "post": "create"})
monitor_labels = monitor_views.MonitorBatchViewSet.as_view({"post": "labels"})
monitor_history = monitor_views.MonitorHistoryViewSet.as_view({"get": "list"})
monitor_history_csv = monitor_views.MonitorHistoryViewSet.as_view({"get": "csv"})
MONITOR = "monitors/<int:monitor>/"

urlpatterns = [
    path(f"{VERSION}evaluation-sets/", sets, name="evaluation-set-list"),
    path(f"{VERSION}audits/", version_audits, name="version-audit-list"),
    path(f"{VERSION}monitors/", monitors, name="monitor-list"),
    path("audits/<int:pk>/", audit_detail, name="audit-detail"),
    path("audits/<int:pk>/transcripts/", audit_transcripts, name="audit-transcripts"),
    path(f"{VERSION}red-team/campaigns/", campaigns, name="red-team-campaign-list"),
    path(f"{VERSION}red-team/campaigns/<int:pk>/", campaign_detail, name="red-team-campaign"),
    path(f"{VERSION}red-team/campaigns/<int:pk>/end/", campaign_end, name="red-team-campaign-end"),
    path(f"{CAMPAIGN}attempts/", attempts, name="red-team-attempt-list"),
    path(ATTEMPT, attempt_views({"get": "retrieve"}), name="red-team-attempt"),
    *[
        path(f"{ATTEMPT}{name}/", attempt_views({"post": name}), name=f"red-team-attempt-{name}")
        for name in ("reproduce", "promote", "withdraw", "incident", "finding")
    ],
    path("audits/<int:pk>/rejudge/", audit_rejudge, name="audit-rejudge"),
    path(f"{MONITOR}batches/", monitor_batches, name="monitor-batch-list"),
    path(f"{MONITOR}batches/<int:pk>/labels/", monitor_labels, name="monitor-batch-labels"),
    path(f"{MONITOR}history/", monitor_history, name="monitor-history"),
    path(f"{MONITOR}history.csv", monitor_history_csv, name="monitor-history-csv"),
]

"""Routes of the audits pages (the API is under /api/, in audits.api.urls)."""

from django.urls import path

from audits.views import evaluation_sets, red_team, runs

VERSION = "models/<slug:slug>/versions/<str:version>/"

urlpatterns = [
    path(
        f"{VERSION}evaluation-sets/new/",
        evaluation_sets.evaluation_set_new,
        name="evaluation-set-new",
    ),
    path(
        f"{VERSION}evaluation-sets/new/<str:token>/",
        evaluation_sets.evaluation_set_map,
        name="evaluation-set-map",
    ),
    path(f"{VERSION}audits/new/", runs.audit_new, name="audit-new"),
    path("audits/<int:pk>/transcripts/", runs.audit_transcripts, name="audit-transcripts-page"),
    path(f"{VERSION}red-team/new/", red_team.campaign_new, name="red-team-campaign-new"),
    path("red-team/<int:pk>/", red_team.campaign_page, name="red-team-campaign-page"),
    path("red-team/<int:pk>/end/", red_team.campaign_end, name="red-team-campaign-end-page"),
    *[
        path(f"red-team/attempts/<int:pk>/{name}/", view, name=f"red-team-attempt-{name}-page")
        for name, view in (
            ("finding", red_team.attempt_finding),
            ("incident", red_team.attempt_incident),
            ("promote", red_team.attempt_promote),
            ("reproduce", red_team.attempt_reproduce),
            ("withdraw", red_team.attempt_withdraw),
        )
    ],
]

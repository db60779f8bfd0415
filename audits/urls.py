"""Routes of the audits pages (the API is under /api/, in audits.api.urls)."""

from django.urls import path

from audits.views import evaluation_sets, runs

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
]

"""Routes of the pages that show audit results and the auditor's documents."""

from django.urls import path

from reports import views

VERSION = "models/<slug:slug>/versions/<str:version>/"

urlpatterns = [
    path(VERSION, views.version_page, name="version-page"),
    path(f"{VERSION}compare/", views.compare_page, name="compare-page"),
    path("audits/<int:pk>/", views.audit_page, name="audit-page"),
    path("reports/", views.documents, name="documents"),
]

"""Routes of the pages that compose several apps: the model page with its monitors' charts,
the version page, the comparison, an audit's results, regulation coverage, the portfolio, and
the auditor's documents."""

from django.urls import path

from reports.views import coverage, documents, mlmodels, portfolio, runs, versions

VERSION = "models/<slug:slug>/versions/<str:version>/"

urlpatterns = [
    path("models/<slug:slug>/", mlmodels.model_page, name="model-page"),
    path(VERSION, versions.version_page, name="version-page"),
    path(f"{VERSION}compare/", versions.compare_page, name="compare-page"),
    path(f"{VERSION}coverage/", coverage.version_coverage, name="version-coverage"),
    path("models/<slug:slug>/coverage/", coverage.model_coverage, name="model-coverage"),
    path("audits/<int:pk>/", runs.audit_page, name="audit-page"),
    path("reports/", documents.documents, name="documents"),
    path("reports/jobs/", documents.report_job_request, name="report-job-request"),
    path("portfolio/", portfolio.portfolio_page, name="portfolio"),
]

"""Routes of the reports API (DESIGN §8)."""

from django.urls import path

from reports.api import crosswalk, jobs, views

VERSION = "models/<slug:slug>/versions/<str:version>/"

urlpatterns = [
    path(f"{VERSION}model-card.pdf", views.model_card_pdf, name="model-card-pdf"),
    path(f"{VERSION}model-cards/", views.model_cards, name="model-cards"),
    path(f"{VERSION}cyclonedx.json", views.model_card_cyclonedx, name="model-card-cyclonedx"),
    path(f"{VERSION}coverage/", crosswalk.version_coverage, name="version-coverage-api"),
    path("models/<slug:slug>/coverage/", crosswalk.model_coverage, name="model-coverage-api"),
    path(f"{VERSION}annex-iv/", crosswalk.annex_iv_issue, name="annex-iv-issue"),
    path(f"{VERSION}annex-iv.pdf", crosswalk.annex_iv_pdf, name="annex-iv-pdf"),
    path("reports/compliance.pdf", views.compliance_pdf, name="compliance-pdf"),
    path("reports/compliance.csv", views.compliance_csv, name="compliance-csv"),
    path("reports/evidence.zip", views.evidence_zip, name="evidence-zip"),
    path("reports/verify/", views.verify, name="report-verify"),
    path("reports/jobs/", jobs.report_jobs, name="report-jobs"),
    path("reports/jobs/<int:pk>/", jobs.report_job, name="report-job"),
    path("reports/jobs/<int:pk>/download", jobs.report_job_download, name="report-job-download"),
]

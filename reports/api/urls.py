"""Routes of the reports API (DESIGN §8)."""

from django.urls import path

from reports.api import views

VERSION = "models/<slug:slug>/versions/<str:version>/"

urlpatterns = [
    path(f"{VERSION}model-card.pdf", views.model_card_pdf, name="model-card-pdf"),
    path(f"{VERSION}model-cards/", views.model_cards, name="model-cards"),
    path(f"{VERSION}cyclonedx.json", views.model_card_cyclonedx, name="model-card-cyclonedx"),
    path("reports/compliance.pdf", views.compliance_pdf, name="compliance-pdf"),
    path("reports/compliance.csv", views.compliance_csv, name="compliance-csv"),
    path("reports/evidence.zip", views.evidence_zip, name="evidence-zip"),
    path("reports/verify/", views.verify, name="report-verify"),
]

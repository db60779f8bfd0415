"""Top-level routes: the probes and metrics, the admin, the API with its OpenAPI schema and docs,
and the web pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.operations import views as operations

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("governance.api.urls")),
    path("api/", include("audits.api.urls")),
    path("api/", include("reports.api.urls")),
    path("", include("governance.urls")),
    path("", include("audits.urls")),
    path("", include("reports.urls")),
]

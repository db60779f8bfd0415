"""Top-level routes: the admin, the API with its OpenAPI schema and docs, and the web pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
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

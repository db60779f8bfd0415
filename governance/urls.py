"""Routes of the registry's web pages (the API is under /api/, in governance.api.urls)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from governance import account_views, views

VERSION = "models/<slug:slug>/versions/<str:version>/"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.password_change, name="password-change"),
    path("", views.home, name="home"),
    path("mine/", views.engineer_home, name="engineer-home"),
    path("review/", views.review_queue, name="review-queue"),
    path("models/", views.inventory, name="inventory"),
    path("models/new/", views.model_new, name="model-new"),
    path("models/<slug:slug>/", views.model_page, name="model-page"),
    path("models/<slug:slug>/risk/", views.model_assess, name="model-assess"),
    path("models/<slug:slug>/risk/override/", views.model_override, name="model-override"),
    path("models/<slug:slug>/versions/new/", views.version_new, name="version-new"),
    path(f"{VERSION}decide/", views.version_decide, name="version-decide"),
    *[
        path(
            f"{VERSION}{action}/",
            views.version_action,
            {"action": action},
            name=f"version-{action}-page",
        )
        for action in views.ACTIONS
    ],
    path("incidents/", views.incident_list, name="incident-list-page"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", views.incident_page, name="incident-page"),
    path("trail/", views.trail, name="trail"),
]

"""Routes of the registry's web pages (the API is under /api/, in governance.api.urls)."""

from django.urls import include, path

from governance.views import (
    accounts,
    findings,
    homes,
    incidents,
    inventory,
    mlmodels,
    notifications,
    rulebooks,
    sso,
    trail,
    versions,
)

VERSION = "models/<slug:slug>/versions/<str:version>/"

urlpatterns = [
    path("login/", accounts.LoginPage.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("sso/step-up/", sso.stepup_start, name="sso-stepup"),
    path("sso/step-up/callback/", sso.stepup_callback, name="sso-stepup-callback"),
    path("password/", accounts.password_change, name="password-change"),
    path("", homes.home, name="home"),
    path("mine/", homes.engineer_home, name="engineer-home"),
    path("review/", homes.review_queue, name="review-queue"),
    path("models/", homes.inventory, name="inventory"),
    path("models/new/", mlmodels.model_new, name="model-new"),
    path("models/<slug:slug>/attest/", mlmodels.model_attest, name="model-attest"),
    path("models/<slug:slug>/risk/", mlmodels.model_assess, name="model-assess"),
    path("models/<slug:slug>/inventory/", inventory.model_inventory, name="model-inventory"),
    path("models/<slug:slug>/risk/override/", mlmodels.model_override, name="model-override"),
    path("models/<slug:slug>/versions/new/", versions.version_new, name="version-new"),
    path(f"{VERSION}decide/", versions.version_decide, name="version-decide"),
    *[
        path(
            f"{VERSION}{action}/",
            versions.version_action,
            {"action": action},
            name=f"version-{action}-page",
        )
        for action in versions.ACTIONS
    ],
    path("incidents/", incidents.incident_list, name="incident-list-page"),
    path("incidents/new/", incidents.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", incidents.incident_page, name="incident-page"),
    path(f"{VERSION}findings/new/", findings.finding_new, name="finding-new"),
    path("findings/", findings.finding_list, name="finding-list-page"),
    path("findings/<int:pk>/", findings.finding_page, name="finding-page"),
    path("trail/", trail.trail, name="trail"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("deliveries/", notifications.deliveries, name="deliveries"),
    path(
        "deliveries/<int:pk>/redeliver/",
        notifications.delivery_redeliver,
        name="delivery-redeliver-page",
    ),
    path("rules/<str:kind>/", rulebooks.rule_version_list, name="rule-version-list"),
    path("rules/<str:kind>/new/", rulebooks.rule_version_new, name="rule-version-new"),
    path("rules/<str:kind>/<int:pk>/", rulebooks.rule_version_page, name="rule-version-page"),
]

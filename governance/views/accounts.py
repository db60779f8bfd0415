"""A person's own account page: changing one's own password, through user_password_set, so a
password someone else set can sign again once its owner has chosen a new one."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render

from governance import accounts
from governance.errors import ServiceError
from governance.page_plumbing import AuthedRequest, posted, refuse


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    """The old password, then the new one twice."""
    form = PasswordChangeForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.user_password_set(
                actor=request.user, user=request.user, password=form.cleaned_data["new_password1"]
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "Your password is changed; it signs your decisions.")
            return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


class LoginPage(auth_views.LoginView):
    """The login page: single sign-on's button when configured, the password form only while
    WARDEN_LOCAL_LOGIN is on (with it off, a posted password is refused here too)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.WARDEN_LOCAL_LOGIN:
            return HttpResponseForbidden("password logins are off: log in with single sign-on")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "local_login": settings.WARDEN_LOCAL_LOGIN,
            "sso_provider": settings.WARDEN_OIDC_PROVIDER_NAME if settings.SSO_ENABLED else "",
            "sso_refused": self.request.GET.get("sso") == "refused",
        }


LogoutView = auth_views.LogoutView

"""The step-up pages: send a single sign-on user to log in again at the provider before a
signature, check its answer, and hand the signing pages the verified re-authentication."""

import requests
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from governance.errors import ServiceError
from governance.page_plumbing import AuthedRequest
from governance.sso import WardenOIDCBackend
from governance.sso_stepup import (
    PENDING_KEY,
    VERIFIED_KEY,
    StepUp,
    reauthentication_fresh,
    reauthentication_refused,
    reauthentication_verify,
    stepup_authorization_url,
    stepup_new,
)


def _safe_next(request: HttpRequest, url: str | None) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else reverse("home")


@login_required
def stepup_start(request: AuthedRequest) -> HttpResponse:
    """Remember a fresh state and nonce, then ask the provider for a new login."""
    if not request.user.sso_subject:
        return HttpResponseBadRequest("this account signs with its password")
    stepup = stepup_new(_safe_next(request, request.GET.get("next")))
    request.session[PENDING_KEY] = stepup.to_json()
    request.session.pop(VERIFIED_KEY, None)
    callback = request.build_absolute_uri(reverse("sso-stepup-callback"))
    return redirect(stepup_authorization_url(stepup, callback))


@login_required
def stepup_callback(request: AuthedRequest) -> HttpResponse:
    """The provider's answer: the state must be the one this session is waiting for (used
    once), the code is exchanged, the ID token verified (signature, issuer, audience, nonce)."""
    pending = request.session.pop(PENDING_KEY, None)
    user = request.user
    stepup = StepUp.from_json(pending) if pending else None
    if stepup is None or request.GET.get("state") != stepup.state:
        reason = "no step-up of this session awaits this answer (a replay, or another tab's)"
        reauthentication_refused(actor=user, target=user, reason=reason)
        messages.error(request, f"Re-authentication refused: {reason}. It is recorded.")
        return redirect(stepup.next_url if stepup else reverse("home"))
    if "error" in request.GET or "code" not in request.GET:
        messages.error(request, "The identity provider did not re-authenticate you.")
        return redirect(stepup.next_url)
    backend = WardenOIDCBackend()
    callback = request.build_absolute_uri(reverse("sso-stepup-callback"))
    try:
        tokens = backend.get_token(
            {
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "client_secret": settings.OIDC_RP_CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": request.GET["code"],
                "redirect_uri": callback,
            }
        )
        id_token = str(tokens.get("id_token") or "")
        claims = backend.verify_token(id_token, nonce=stepup.nonce)
        record = reauthentication_verify(
            actor=user, claims=claims, id_token=id_token, stepup=stepup
        )
    except (requests.RequestException, SuspiciousOperation, ValueError) as error:
        reason = f"the provider's answer did not verify ({type(error).__name__})"
        reauthentication_refused(actor=user, target=user, reason=reason)
        messages.error(request, f"Re-authentication refused: {reason}. It is recorded.")
        return redirect(stepup.next_url)
    except ServiceError as error:
        messages.error(request, f"Re-authentication refused: {error.message}. It is recorded.")
        return redirect(stepup.next_url)
    request.session[VERIFIED_KEY] = record.pk
    messages.success(request, "Re-authenticated: sign now.")
    return redirect(stepup.next_url)


def signing_form_fit(request: AuthedRequest, form: forms.Form) -> dict[str, object]:
    """Drop the password from a signing form for a single sign-on signer; the context the
    signing templates show (the provider, and the step-up ready to sign, if any)."""
    if not request.user.sso_subject:
        return {}
    form.fields.pop("password", None)
    ready = reauthentication_fresh(request.user, request.session.get(VERIFIED_KEY))
    return {
        "sso_provider": settings.WARDEN_OIDC_PROVIDER_NAME,
        "reauthentication": ready,
        "stepup_url": f"{reverse('sso-stepup')}?next={request.path}",
    }


def signing_reauthentication(request: AuthedRequest) -> int | None:
    """The verified re-authentication to sign with (spent: taken out of the session)."""
    if not request.user.sso_subject:
        return None
    reauthentication: int | None = request.session.pop(VERIFIED_KEY, None)
    return reauthentication

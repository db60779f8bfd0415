"""Single sign-on in a real browser against a real OpenID provider on loopback (the npm package
oidc-provider): a risk officer logs in there, lands on the review queue, signs an approval with
a fresh re-authentication, and a replay of that re-authentication is refused; a provider that
makes one account engineer and risk officer is refused, and each refusal is on the trail."""

import re

import pytest
from playwright.sync_api import Page, expect

from governance.models import Approval, Event, EventVerb, User
from tests.factories import submitted_version_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def provider_login(page: Page, login: str) -> None:
    """The provider's own (development) login form: any password is accepted."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()


def open_page(chromium, live_server) -> Page:  # type: ignore[no-untyped-def]
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_risk_officer_signs_in_and_signs_with_a_fresh_reauthentication(  # type: ignore[no-untyped-def]
    chromium, live_server, oidc_provider, cast, screenshots
):
    version = submitted_version_make(cast.erin, 3, slug="loan-default")
    page = open_page(chromium, live_server)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_label("Password")).to_have_count(0)  # local passwords are off
    page.get_by_role("link", name="Log in with the test provider").click()
    provider_login(page, "sam")
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    sam = User.objects.get(username="sam")
    assert sam.sso_subject == "sam" and not sam.has_usable_password()

    callbacks: list[str] = []
    page.on(
        "request", lambda r: callbacks.append(r.url) if "/sso/step-up/callback/" in r.url else None
    )
    page.goto(f"/models/loan-default/versions/{version.version}/decide/")
    expect(page.get_by_label("Password")).to_have_count(0)
    page.get_by_role("link", name="Re-authenticate to sign").click()
    expect(page.locator("input[name=login]")).to_be_visible()  # prompt=login: asked again
    provider_login(page, "sam")
    expect(page.locator("#stepup")).to_contain_text("You re-authenticated at the test provider")
    page.screenshot(path=screenshots / "sso-step-up.png", full_page=True)
    page.get_by_label("Decision", exact=True).select_option("approve")
    page.get_by_label("Approval: I approve this version for deployment").check()
    # Tasks run eagerly here, so the approval's model card is rendered and signed in this request.
    page.get_by_role("button", name="Sign the decision").click(timeout=120_000)
    expect(page.locator(".manifestation")).to_contain_text(f"re-authenticated at {oidc_provider}")
    approval = Approval.objects.get()
    assert approval.signer == sam and approval.authentication.startswith("re-authenticated at")

    # The same answer from the provider, replayed: refused, recorded, and nothing signs with it.
    assert len(callbacks) == 1
    page.goto(callbacks[0])
    expect(page.get_by_text("Re-authentication refused")).to_be_visible()
    refused = Event.objects.filter(verb=EventVerb.SIGNATURE_REFUSED, actor=sam)
    assert "a replay" in refused.get().note

    # Replayed while a new step-up waits (its state is another): refused too, nothing to sign.
    page.goto(f"/models/loan-default/versions/{version.version}/decide/")
    page.get_by_role("link", name="Re-authenticate to sign").click()
    expect(page.locator("input[name=login]")).to_be_visible()
    page.goto(callbacks[0])
    expect(page.get_by_text("Re-authentication refused")).to_be_visible()
    assert refused.count() == 2
    page.goto(f"/models/loan-default/versions/{version.version}/decide/")
    expect(page.get_by_role("link", name="Re-authenticate to sign")).to_be_visible()
    assert Approval.objects.count() == 1


def test_a_provider_cannot_make_one_account_engineer_and_risk_officer(  # type: ignore[no-untyped-def]
    chromium, live_server, oidc_provider
):
    page = open_page(chromium, live_server)
    page.goto("/login/")
    page.get_by_role("link", name="Log in with the test provider").click()
    provider_login(page, "eve")
    expect(page).to_have_url(re.compile(r"/login/\?sso=refused"))
    expect(page.get_by_role("alert")).to_contain_text("Single sign-on did not let you in")
    assert not User.objects.filter(username="eve").exists()
    refused = Event.objects.get(verb=EventVerb.SSO_LOGIN_REFUSED)
    assert "exclusive" in refused.note and refused.after["sub"] == "eve"

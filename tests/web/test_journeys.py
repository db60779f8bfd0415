"""The three journeys in a real browser (Debian's headless Chromium, driven by Playwright)
against a live server, with audits run by a real Celery worker over Redis: the engineer
registers a model, uploads a version and its evaluation sets, runs an audit, watches it finish
and submits; the risk officer approves it with a signature; the auditor downloads the signed
model card and the compliance report, verifies the card and the trail."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from governance.models import Approval, ModelVersion
from reports.models import Report
from tests.factories import (
    PASSWORD,
    classifier_csv,
    skops_model_bytes,
    tiered_model_make,
    version_make,
)
from tests.workers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
SLUG = "loan-default"
VERSION_URL = f"/models/{SLUG}/versions/1.0.0/"
AUDIT_TIMEOUT_MS = 120_000


def open_as(chromium, live_server, username: str) -> Page:  # type: ignore[no-untyped-def]
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def upload_set(page: Page, role: str, seed: int) -> None:
    page.get_by_role("link", name="Upload an evaluation set").click()
    page.get_by_label("File").set_input_files(
        {"name": f"{role}.csv", "mimeType": "text/csv", "buffer": classifier_csv(seed=seed)}
    )
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Read the columns").click()
    # The mapping step offers exactly the file's own columns.
    label = page.get_by_label("Label", exact=True)
    options = label.locator("option").all_inner_texts()
    assert options == ["— choose —", "label", "predicted", "score", "group", "x"]
    label.select_option("label")
    page.get_by_label("Prediction (optional)").select_option("predicted")
    page.get_by_label("Score (optional)").select_option("score")
    page.locator("#field-sensitive").get_by_label("group").check()
    page.locator("#field-slices").get_by_label("group").check()
    page.locator("#field-features").get_by_label("x").check()
    page.get_by_role("button", name="Upload and validate").click()
    expect(page.get_by_text(f"Evaluation set “{role}.csv” is in: 400 rows.")).to_be_visible()


def engineer_journey(page: Page, screenshots) -> None:  # type: ignore[no-untyped-def]
    expect(page.get_by_role("heading", name="My models")).to_be_visible()
    page.get_by_role("link", name="Register a model").click()
    page.get_by_label("Name", exact=True).fill("Loan default")
    page.get_by_label("Slug").fill(SLUG)
    page.get_by_label("Purpose").fill("Estimates the chance that a loan defaults within a year.")
    page.get_by_label("Model type").select_option("classification")
    answers = {
        "What effect can its decisions have on people?": "Minor, easily reversed effects",
        "Who makes the final decision?": "A person reviews each decision",
        "What data does it use?": "Internal, non-personal data",
        "How many decisions does it make?": "1,000 to 100,000 decisions a year",
        "In which regulated area is it used?": "Another regulated area",
    }
    for question, answer in answers.items():
        page.get_by_role("group", name=question).get_by_label(answer).check()
    page.get_by_role("button", name="Register the model").click()
    expect(page.get_by_text("Loan default is registered: tier 2.")).to_be_visible()

    page.get_by_role("link", name="Upload a version").click()
    page.get_by_label("Version", exact=True).fill("1.0.0")
    page.get_by_label("Artifact").set_input_files(
        {"name": "model.skops", "mimeType": "application/zip", "buffer": skops_model_bytes()}
    )
    page.get_by_role("button", name="Upload the version").click()
    expect(page).to_have_url(re.compile(VERSION_URL + "$"))
    expect(page.locator("h1 .badge.draft")).to_have_text("Draft")

    upload_set(page, "current", seed=3)
    upload_set(page, "reference", seed=4)

    page.get_by_role("link", name="Start an audit").click()
    page.get_by_label("Evaluation set").select_option(label="current.csv (current, 400 rows)")
    page.get_by_label("Reference set").select_option(label="reference.csv (reference, 400 rows)")
    page.get_by_role("button", name="Start the audit").click()
    # The live progress bar, then the page reloads itself with the results once the worker
    # has finished.
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.locator("#run-status")).to_have_text("Completed", timeout=AUDIT_TIMEOUT_MS)
    expect(page.locator("#run-verdict")).to_have_text("Pass")
    expect(page.get_by_role("heading", name="Fairness pass")).to_be_visible()
    assert (
        page.locator("figure.chart svg").count() >= 4
    )  # confusion, group rates, reliability, drift

    page.get_by_role("link", name="Loan default 1.0.0").click()
    expect(page.locator("figure.chart svg").first).to_be_visible()
    page.screenshot(path=screenshots / "version-page.png", full_page=True)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("h1 .badge.submitted")).to_have_text("Submitted for review")

    page.get_by_role("link", name="Report an incident").click()
    page.get_by_label("Title").fill("Approval rates fell for one branch")
    page.get_by_label("Severity").select_option("medium")
    page.get_by_label("Category").select_option("bias")
    page.get_by_label("Description").fill("Branch 12 approves a third fewer applications.")
    page.get_by_label("Serious incident").select_option("general")
    page.get_by_role("button", name="Report the incident").click()
    expect(page.get_by_role("heading", name=re.compile("Approval rates fell"))).to_be_visible()
    expect(page.get_by_text("Serious incident (15 days)")).to_be_visible()
    page.get_by_role("link", name="My models").click()
    expect(page.get_by_role("link", name="Loan default", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "engineer-home.png", full_page=True)


def risk_officer_journey(page: Page, screenshots) -> None:  # type: ignore[no-untyped-def]
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("^Loan default 1.0.0"))
    expect(row).to_contain_text("0 of 1")
    incident = page.get_by_role("row", name=re.compile("Approval rates fell"))
    expect(incident).to_contain_text("in 2 weeks")  # the Art. 73 deadline, 15 days away
    page.screenshot(path=screenshots / "risk-officer-home.png", full_page=True)
    row.get_by_role("link", name="Loan default 1.0.0").click()

    # A wrong password: the decision is refused with the error beside the password field.
    page.get_by_role("link", name="Decide and sign").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Decision", exact=True).select_option("approve")
    dialog.get_by_label("Approval: I approve this version for deployment").check()
    dialog.get_by_label("Password").fill("not my password")
    dialog.get_by_role("button", name="Sign the decision").click()
    expect(page.locator("#field-password .errorlist")).to_contain_text("password is not correct")
    assert not Approval.objects.exists()

    page.get_by_label("Decision", exact=True).select_option("approve")
    page.get_by_label("Approval: I approve this version for deployment").check()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign the decision").click()
    expect(page.locator("h1 .badge.approved")).to_have_text("Approved")
    expect(page.locator(".manifestation")).to_contain_text("Rita Tester (rita), 20")
    expect(page.locator(".manifestation")).to_contain_text(
        "Approval: I approve this version for deployment"
    )
    assert ModelVersion.objects.get(model__slug=SLUG).status == "approved"


def auditor_journey(page: Page, screenshots) -> None:  # type: ignore[no-untyped-def]
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()
    page.screenshot(path=screenshots / "auditor-home.png", full_page=True)
    page.get_by_label("Tier").select_option("2")
    page.get_by_label("Status").select_option("approved")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row", name=re.compile("Loan default"))
    expect(row).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Churn"))).to_have_count(0)

    with page.expect_download() as card:
        row.get_by_role("link", name="model card (PDF)").click()
    assert card.value.failure() is None
    signed_card = Path(card.value.path()).read_bytes()
    assert signed_card[:5] == b"%PDF-"

    page.get_by_role("link", name="Reports").click()
    with page.expect_download() as report:
        page.get_by_role("link", name="Compliance report (PDF)").click()
    assert report.value.failure() is None
    assert Path(report.value.path()).read_bytes()[:5] == b"%PDF-"

    # The downloaded card verifies as ours and intact; one changed byte does not.
    page.get_by_label("PDF file").set_input_files(
        {"name": "card.pdf", "mimeType": "application/pdf", "buffer": signed_card}
    )
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#verify-result")).to_contain_text("valid")
    expect(page.locator("#verify-result")).not_to_contain_text("not valid")
    expect(page.locator("#verify-result")).to_contain_text("loan-default 1.0.0")
    tampered = bytearray(signed_card)
    middle = len(tampered) // 2
    tampered[middle] = tampered[middle] ^ 0x01
    page.get_by_label("PDF file").set_input_files(
        {"name": "card.pdf", "mimeType": "application/pdf", "buffer": bytes(tampered)}
    )
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#verify-result")).to_contain_text("not valid")

    page.get_by_role("link", name="Verify the trail").click()
    expect(page.locator("#verdict")).to_contain_text("intact")


def test_the_engineer_the_risk_officer_and_the_auditor_journeys(
    chromium, live_server, workers, cast, screenshots
):
    workers.start("web")
    # Other models already in the inventory, beside the one the engineer registers.
    version_make(tiered_model_make(cast.erin, 3, slug="churn"), cast.erin)
    version_make(tiered_model_make(cast.bob, 1, slug="fraud-alerts"), cast.bob, "3.2.0")
    engineer_journey(open_as(chromium, live_server, "erin"), screenshots)
    risk_officer_journey(open_as(chromium, live_server, "rita"), screenshots)
    # The approval asked a worker for the signed card; a download only reads what it issued.
    wait_for(
        lambda: Report.objects.filter(version__model__slug=SLUG).exists(),
        timeout=AUDIT_TIMEOUT_MS / 1000,
        what="the worker to issue the approved version's model card",
    )
    auditor_journey(open_as(chromium, live_server, "ada"), screenshots)

"""Every reports endpoint against every kind of caller. Cards: everyone with a role reads them,
another team's engineer (bob) too; issuing one on request is the team's, risk officers' and
admins'. The portfolio documents are for risk officers, auditors and admins. Anyone with a role
verifies a PDF; the pipelines' gate account (gil) and anonymous callers get nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Report
from tests.factories import submitted_version_make, tiered_model_make, user_make, version_make
from tests.reports.issued import approve, current_card_on_record

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "erin", "eli", "bob", "rita", "ada", "root", "gil"]
CARD = "/api/models/credit-default/versions/1.0.0/"
READ_CARD = [401, 200, 200, 200, 200, 200, 200, 403]
PORTFOLIO = [401, 403, 403, 403, 200, 200, 200, 403]


def not_a_pdf() -> dict:
    return {"file": SimpleUploadedFile("notes.txt", b"not a pdf")}


MATRIX = [
    ("get", f"{CARD}model-card.pdf", None, READ_CARD),
    ("get", f"{CARD}model-cards/", None, READ_CARD),
    ("post", f"{CARD}model-cards/", None, [401, 200, 200, 403, 200, 403, 200, 403]),
    ("get", f"{CARD}cyclonedx.json", None, READ_CARD),
    ("get", "/api/reports/compliance.csv", None, PORTFOLIO),
    # None: allowed, and rendered in test_compliance / test_bundle; one allowed case each here.
    ("get", "/api/reports/compliance.pdf", None, [401, 403, 403, 403, 200, None, None, 403]),
    ("get", "/api/reports/evidence.zip", None, [401, 403, 403, 403, None, None, 200, 403]),
    ("post", "/api/reports/verify/", not_a_pdf, [401, 200, 200, 200, 200, 200, 200, 403]),
]
CASES = [
    pytest.param(method, path, body, caller, expected[i], id=f"{method} {path} as {caller}")
    for method, path, body, expected in MATRIX
    for i, caller in enumerate(CALLERS)
    if expected[i] is not None
]


@pytest.mark.parametrize(("method", "path", "body", "caller", "expected"), CASES)
def test_authorization_matrix(cast, api, method, path, body, caller, expected):  # type: ignore[no-untyped-def]
    version = version_make(tiered_model_make(cast.erin, tier=2), cast.erin)
    current_card_on_record(version)
    user = None if caller == "anonymous" else getattr(cast, caller, None)
    if caller == "gil":
        user = user_make("gil", "gate")
    client = api.as_user(user)
    data = body() if body else None
    response = getattr(client, method)(path, data, format="multipart" if body else None)
    assert response.status_code == expected, getattr(response, "data", None)


def test_asking_for_a_card_when_none_is_current_queues_the_worker(cast, api) -> None:
    approve(submitted_version_make(cast.erin, tier=2), cast.rita)  # no card: callbacks not run
    response = api.as_user(cast.eli).post(f"{CARD}model-cards/")
    assert response.status_code == 202
    report = Report.objects.get()  # the eager worker issued it
    assert report.issued_by is None and report.kind == "model_card"
    listed = api.as_user(cast.eli).get(f"{CARD}model-cards/").json()
    assert [r["record"] for r in listed] == [report.record]

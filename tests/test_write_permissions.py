"""Permission before body, on every write endpoint: a caller who may not act there is refused
with 403 even when the body is empty, never told which fields the body lacks (400)."""

import pytest
from django.utils import timezone

from governance import incidents
from tests.factories import mlmodel_make, user_make, version_make

pytestmark = pytest.mark.django_db

V = "/api/models/alpha/versions/1.0.0/"
# (method, path, callers who may not act there); gil holds only the gate role.
MATRIX = [
    ("post", "/api/models/", ["ada", "gil"]),
    ("patch", "/api/models/alpha/", ["ada", "bob", "gil"]),
    ("post", "/api/models/alpha/risk-assessment/", ["ada", "bob", "gil"]),
    ("post", "/api/models/alpha/versions/", ["ada", "bob", "rita", "gil"]),
    ("patch", V, ["ada", "bob", "rita", "gil"]),
    ("post", f"{V}submit/", ["ada", "bob", "rita", "gil"]),
    ("post", f"{V}reopen/", ["ada", "bob", "rita", "gil"]),
    ("post", f"{V}suspend/", ["ada", "bob", "erin", "gil"]),
    ("post", f"{V}retire/", ["ada", "bob", "gil"]),
    ("post", f"{V}decisions/", ["ada", "bob", "erin", "gil"]),
    ("post", f"{V}deployments/", ["ada", "bob", "rita", "gil"]),
    ("post", f"{V}evaluation-sets/", ["ada", "bob", "gil"]),
    ("post", f"{V}audits/", ["ada", "bob", "gil"]),
    ("post", f"{V}monitors/", ["ada", "bob", "gil"]),
    ("post", f"{V}model-cards/", ["ada", "bob", "gil"]),
    ("post", f"{V}annex-iv/", ["ada", "bob", "gil"]),
    ("post", f"{V}red-team/campaigns/", ["ada", "erin", "eli", "root", "gil"]),
    ("post", "/api/incidents/", ["ada", "gil"]),
    ("patch", "/api/incidents/{incident}/", ["ada", "bob", "gil"]),
    ("post", "/api/incidents/{incident}/authority-reports/", ["ada", "bob", "erin", "gil"]),
    ("post", "/api/reports/verify/", ["gil"]),
    ("post", "/api/reports/jobs/", ["erin", "bob", "gil"]),
    ("post", "/api/webhooks/", ["ada", "erin", "gil"]),
    ("post", "/api/email-subscriptions/", ["ada", "erin", "gil"]),
]
CASES = [
    pytest.param(method, path, caller, id=f"{method} {path} as {caller}")
    for method, path, callers in MATRIX
    for caller in callers
]


@pytest.mark.parametrize(("method", "path", "caller"), CASES)
def test_a_caller_who_may_not_write_is_refused_before_the_body_is_read(
    cast, api, method, path, caller
):
    version = version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    incident = incidents.incident_report(
        actor=cast.erin,
        versions=[version],
        title="t",
        severity="low",
        category="other",
        description="d",
        aware_at=timezone.now(),
    )
    user = user_make("gil", "gate") if caller == "gil" else getattr(cast, caller)
    client = api.as_user(user)
    response = getattr(client, method)(path.format(incident=incident.pk), {}, format="multipart")
    assert response.status_code == 403, response.content[:300]
    assert list(response.json()) == ["detail"]

"""Every registry endpoint against every kind of caller: anonymous, an engineer of the model's
team (erin, team A), an engineer of another team (bob, team B), a risk officer and an auditor."""

import pytest

from tests.factories import TIER_3_ANSWERS, mlmodel_make, skops_model_file, version_make

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "erin", "bob", "rita", "ada"]
MODEL_BODY = {
    "name": "Gamma",
    "slug": "gamma",
    "purpose": "p",
    "model_type": "regression",
    "team": "team-a",
}

# (method, path, body maker, expected status per caller in CALLERS order)
MATRIX = [
    ("get", "/api/models/", None, [401, 200, 200, 200, 200]),
    ("post", "/api/models/", lambda: MODEL_BODY, [401, 201, 403, 403, 403]),
    ("get", "/api/models/alpha/", None, [401, 200, 200, 200, 200]),
    ("patch", "/api/models/alpha/", lambda: {"purpose": "q"}, [401, 200, 403, 403, 403]),
    ("get", "/api/models/alpha/risk-assessment/", None, [401, 200, 200, 200, 200]),
    (
        "post",
        "/api/models/alpha/risk-assessment/",
        lambda: TIER_3_ANSWERS,
        [401, 201, 403, 201, 403],
    ),
    ("get", "/api/models/alpha/versions/", None, [401, 200, 200, 200, 200]),
    (
        "post",
        "/api/models/alpha/versions/",
        lambda: {"version": "2.0", "artifact": skops_model_file()},
        [401, 201, 403, 403, 403],
    ),
    ("get", "/api/models/alpha/versions/1.0.0/", None, [401, 200, 200, 200, 200]),
    (
        "patch",
        "/api/models/alpha/versions/1.0.0/",
        lambda: {"limitations": "l"},
        [401, 200, 403, 403, 403],
    ),
    ("get", "/api/events/", None, [401, 200, 200, 200, 200]),
    ("get", "/api/events/1/", None, [401, 200, 200, 200, 200]),
    ("get", "/api/events/verify/", None, [401, 200, 200, 200, 200]),
]
CASES = [
    pytest.param(method, path, body, caller, expected[i], id=f"{method} {path} as {caller}")
    for method, path, body, expected in MATRIX
    for i, caller in enumerate(CALLERS)
]


@pytest.mark.parametrize(("method", "path", "body", "caller", "expected"), CASES)
def test_authorization_matrix(cast, api, method, path, body, caller, expected):
    model = mlmodel_make(cast.erin, slug="alpha")
    version_make(model, cast.erin, version="1.0.0")
    client = api.as_user(None if caller == "anonymous" else getattr(cast, caller))
    data = body() if body else None
    format_ = "multipart" if data and "artifact" in data else "json"
    response = getattr(client, method)(path, data, format=format_)
    assert response.status_code == expected, response.content[:300]


def test_a_user_without_a_role_is_refused(api, db):
    from governance.models import User

    nobody = User.objects.create_user("nobody", password="x")
    assert api.as_user(nobody).get("/api/models/").status_code == 403


def test_an_admin_may_change_any_teams_model(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    response = api.as_user(cast.root).patch("/api/models/alpha/", {"purpose": "q"}, format="json")
    assert response.status_code == 200

"""Schemathesis against /api/schema/, in process, as each role: no generated request, valid or
not, gets a 5xx, and every response conforms to the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import audit_make, submitted_version_make

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]
ROLES = ["erin", "rita", "ada", "pipeline"]


@pytest.fixture
def api_schema(db):
    """The schema served by the app itself, called in process. Like Django's test client, the
    requests leave the test's database connection open (it holds the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast):
    """A tiered model with a submitted, audited version, so paths with real slugs exist."""
    from tests.factories import user_make

    version = submitted_version_make(cast.erin, 3)
    audit_make(version, cast.erin)
    return {
        "erin": cast.erin,
        "rita": cast.rita,
        "ada": cast.ada,
        "pipeline": user_make("pipeline", "gate"),
    }


@pytest.fixture
def tokens(world):
    """A token for each role: an engineer, a risk officer, an auditor, a gate-only pipeline."""
    return {role: Token.objects.get_or_create(user=world[role])[0].key for role in ROLES}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error_or_a_response_outside_the_schema(case, tokens):
    for token in tokens.values():
        case.call_and_validate(
            headers={"Authorization": f"Token {token}"},
            checks=[not_a_server_error, response_schema_conformance],
        )

"""The portfolio fixture (issue #20): a small build holds its shape and an intact trail."""

import pytest
from django.core.management import CommandError, call_command

from governance.models import MLModel, ModelVersion
from governance.trail import trail_verify

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_builds_models_versions_and_an_intact_trail():
    call_command("portfolio_build", "--models", "20", "--teams", "4")
    assert MLModel.objects.count() == 20
    assert ModelVersion.objects.count() == 60
    assert trail_verify().intact


def test_it_refuses_a_database_that_holds_models():
    call_command("portfolio_build", "--models", "2", "--teams", "1")
    with pytest.raises(CommandError, match="already holds models"):
        call_command("portfolio_build", "--models", "2")

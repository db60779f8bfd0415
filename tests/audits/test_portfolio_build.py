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


def test_the_trail_is_appended_a_batch_a_transaction_and_still_verifies(monkeypatch):
    """The events go in batches, each committed on its own (on PostgreSQL through the guard
    that admits one event after the head at a time): the chain runs on across the batches."""
    from audits.management.commands import portfolio_build
    from governance.models import Event, TrailHead

    monkeypatch.setattr(portfolio_build, "BATCH", 50)
    call_command("portfolio_build", "--models", "20", "--teams", "4")
    events = Event.objects.count()
    assert events > 4 * 50
    head = TrailHead.objects.get(pk=1)
    assert head.seq == events == Event.objects.order_by("-seq").first().seq
    assert trail_verify().intact

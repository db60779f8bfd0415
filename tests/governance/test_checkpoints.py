"""Trail checkpoints: the head signed into files outside the database, so that a wholesale
rewrite (an edit with every later hash recomputed) is caught and placed between two of them."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from governance.checkpoints import (
    INTERVAL_REASON,
    SIGNATURE_SUFFIX,
    checkpoint_files,
    trail_checkpoint_take,
)
from governance.models import TrailHead
from governance.organisation_key import organisation_key, signature_verifies
from governance.tasks import trail_checkpoint_write
from governance.trail import trail_verify
from tests.database_roles import trail_rewrite
from tests.factories import mlmodel_make

pytestmark = pytest.mark.django_db


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_a_checkpoint_file_states_the_head_signed_by_the_organisations_key(cast):
    mlmodel_make(cast.erin)
    trail_checkpoint_take(reason=INTERVAL_REASON)
    [name] = checkpoint_files()
    data, signature = read(name), read(name + SIGNATURE_SUFFIX)
    head = TrailHead.objects.get(pk=1)
    assert (json.loads(data)["seq"], json.loads(data)["hash"]) == (head.seq, head.hash)
    assert signature_verifies(organisation_key().certificate, data, signature)


def test_the_interval_task_skips_a_head_already_checkpointed(cast):
    mlmodel_make(cast.erin)
    assert trail_checkpoint_write().startswith("checkpoint at #")
    assert trail_checkpoint_write() == "head unchanged"
    mlmodel_make(cast.erin, slug="second-model")
    trail_checkpoint_write()
    assert len(checkpoint_files()) == 2


def test_verification_counts_the_checkpoints_it_agreed_with(cast):
    mlmodel_make(cast.erin)
    trail_checkpoint_take(reason=INTERVAL_REASON)
    verdict = trail_verify()
    assert (verdict.intact, verdict.anchors) == (True, 1)


@pytest.fixture
def two_checkpoints(cast):  # type: ignore[no-untyped-def]
    """Checkpoints after the cast (first) and after two models (second), a third model after."""
    first = trail_checkpoint_take(reason=INTERVAL_REASON)
    mlmodel_make(cast.erin, slug="model-a")
    mlmodel_make(cast.erin, slug="model-b")
    second = trail_checkpoint_take(reason=INTERVAL_REASON)
    mlmodel_make(cast.erin, slug="model-c")
    return first, second


@pytest.mark.django_db(transaction=True)
def test_a_wholesale_rewrite_is_named_by_its_checkpoint_interval(two_checkpoints):
    first, second = two_checkpoints
    edited = first.seq + 1
    trail_rewrite(edited, actor_name="mallory")
    verdict = trail_verify()
    assert not verdict.intact
    assert verdict.broken_seq == edited
    assert f"between events #{edited} and #{second.seq}" in verdict.reason
    assert f"checkpoint trail-checkpoints/{second.seq:012d}-" in verdict.reason


@pytest.mark.django_db(transaction=True)
def test_verify_trail_exits_1_naming_the_rewritten_interval(two_checkpoints, capsys):
    first, second = two_checkpoints
    trail_rewrite(first.seq + 1, actor_name="mallory")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_trail")
    assert exit_info.value.code == 1
    assert f"between events #{first.seq + 1} and #{second.seq}" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_verify_endpoint_names_the_rewritten_interval(two_checkpoints, api, cast):
    first, second = two_checkpoints
    trail_rewrite(first.seq + 1, actor_name="mallory")
    body = api.as_user(cast.ada).get("/api/events/verify/").json()
    assert (body["intact"], body["broken_seq"]) == (False, first.seq + 1)
    assert f"and #{second.seq}" in body["reason"]


def test_a_forged_checkpoint_file_is_reported(cast):
    mlmodel_make(cast.erin)
    trail_checkpoint_take(reason=INTERVAL_REASON)
    [name] = checkpoint_files()
    forged = json.loads(read(name)) | {"hash": "f" * 64}
    default_storage.delete(name)
    default_storage.save(name, ContentFile(json.dumps(forged).encode()))
    verdict = trail_verify()
    assert not verdict.intact
    assert f"checkpoint {name}: its signature does not verify" in verdict.reason


def test_a_checkpoint_without_its_signature_is_reported(cast):
    trail_checkpoint_take(reason=INTERVAL_REASON)
    [name] = checkpoint_files()
    default_storage.delete(name + SIGNATURE_SUFFIX)
    assert "signature does not verify" in trail_verify().reason


def test_beat_runs_the_checkpoint_task_at_the_configured_interval(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["trail-checkpoint"]
    assert (entry["task"], entry["schedule"]) == (trail_checkpoint_write.name, 3600.0)


def test_checkpoints_that_cannot_be_checked_for_want_of_the_key_fail_verification(
    cast, settings, tmp_path
):
    trail_checkpoint_take(reason=INTERVAL_REASON)
    settings.WARDEN_SIGNING_KEY = str(tmp_path / "missing.p12")
    verdict = trail_verify()
    assert not verdict.intact
    assert "cannot be checked: cannot read signing key" in verdict.reason

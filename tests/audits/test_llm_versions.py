"""LLM versions in the registry (issue #16): the endpoint descriptor as an artifact kind (its
fields and host checked at upload), transcript files as evaluation sets, and audits of both run
by the real battery in this process against the scripted server on loopback."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.artifact_rules import CHAT, PREDICT, artifact_can
from audits.battery.llm import transcripts
from audits.models import AuditRun, EvaluationSet, RunStatus
from audits.services import llm, runs
from audits.tasks import audit_run_plan
from governance.errors import InvalidInput
from governance.models import ArtifactFormat
from tests.audits.llm_support import (
    SECRET_VALUE,
    descriptor,
    guarded_server,
    llm_version,
    transcripts_upload,
)
from tests.factories import mlmodel_make, version_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]
VERSIONS = "/api/models/help-desk/versions/"


@pytest.fixture(scope="module")
def recorded():
    """A live probe's transcripts of the guarded persona, as the worker stores them."""
    from audits.battery.llm.endpoint import parse
    from audits.battery.llm.pack import load_pack
    from audits.battery.llm.probes import build_probes
    from audits.battery.llm.runner import probe

    with guarded_server() as server:
        raw = json.loads(descriptor(server.base_url).read())
        del raw["secret_ref"]
        target = parse(raw, ["127.0.0.1"])
        probes = build_probes(load_pack(), 1, checks=llm.LIVE_CHECKS)
        return transcripts.dumps(probe(target, probes))


def audited(run: AuditRun) -> AuditRun:
    audit_run_plan.apply(args=[run.pk])
    run.refresh_from_db()
    return run


def test_a_descriptor_is_accepted_as_an_llm_endpoint_artifact_that_can_chat(cast):
    version = llm_version(cast.erin, "http://127.0.0.1:9/v1")
    assert version.artifact_format == ArtifactFormat.LLM_ENDPOINT
    assert artifact_can(version.artifact_format, CHAT)
    assert not artifact_can(version.artifact_format, PREDICT)
    assert len(version.artifact_sha256) == 64


def test_a_host_outside_the_allow_list_is_refused_naming_base_url(cast, api):
    mlmodel_make(cast.erin, slug="help-desk", model_type="llm")
    upload = descriptor("https://llm.example.com/v1")
    response = api.as_user(cast.erin).post(
        VERSIONS, {"version": "1.0.0", "artifact": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "base_url: host llm.example.com is not in the endpoint allow-list" in str(
        response.data["artifact"]
    )


def test_a_descriptor_with_a_bad_field_is_refused_naming_it(cast):
    model = mlmodel_make(cast.erin, slug="help-desk", model_type="llm")
    with pytest.raises(InvalidInput, match=r"limits\.max_calls: must be a positive integer"):
        version_make(model, cast.erin, artifact=descriptor("http://127.0.0.1/v1",
                                                           limits={"max_calls": 0}))  # fmt: skip


def test_a_transcript_file_is_taken_in_as_a_transcripts_set_with_its_sha256(cast, recorded):
    version = llm_version(cast.erin, "http://127.0.0.1:9/v1")
    upload = transcripts_upload(cast.erin, version, recorded)
    assert upload.is_transcripts and upload.rows == len(transcripts.loads(recorded))
    import hashlib

    assert upload.original_sha256 == hashlib.sha256(recorded).hexdigest()


def test_a_bad_transcript_line_is_refused_naming_the_line_and_key(cast, api):
    llm_version(cast.erin, "http://127.0.0.1:9/v1")
    content = b'{"probe_id": "a", "check": "jailbreak", "family": "x", "messages": []}\n{"x": 1}\n'
    response = api.as_user(cast.erin).post(
        f"{VERSIONS}1.0.0/evaluation-sets/",
        {"file": SimpleUploadedFile("t.jsonl", content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "transcripts line 2: column 'check': is required" in response.data["file"][0]
    assert not EvaluationSet.objects.exists()


def test_a_transcript_file_over_the_cap_is_refused_naming_the_setting(cast, settings, recorded):
    settings.WARDEN_MAX_TRANSCRIPT_BYTES = 1000
    version = llm_version(cast.erin, "http://127.0.0.1:9/v1")
    with pytest.raises(Exception, match="WARDEN_MAX_TRANSCRIPT_BYTES"):
        transcripts_upload(cast.erin, version, recorded)


def test_an_audit_of_an_endpoint_version_probes_stores_the_transcripts_and_scores_them(cast):
    with guarded_server() as server:
        version = llm_version(cast.erin, server.base_url)
        run = audited(runs.audit_run_request(actor=cast.erin, version=version, evaluation_set=None))
        assert run.status == RunStatus.COMPLETED, run.error
        assert {r["headers"]["Authorization"] for r in server.requests} == {
            f"Bearer {SECRET_VALUE}"
        }
    stored = run.evaluation_set
    assert stored is not None and stored.is_transcripts and stored.version == version
    assert run.result["task"] == "llm" and run.verdict == "pass"
    assert run.result["dataset"]["sha256"] == stored.original_sha256
    assert stored.rows == len(server.requests)


def test_max_calls_below_the_probe_count_errors_the_audit_before_any_call(cast):
    with guarded_server() as server:
        version = llm_version(cast.erin, server.base_url, limits={"max_calls": 10})
        run = audited(runs.audit_run_request(actor=cast.erin, version=version, evaluation_set=None))
        assert server.requests == []
    assert run.status == RunStatus.ERRORED and "limits.max_calls" in run.error


def test_an_audit_over_an_uploaded_transcript_set_just_scores_it(cast, recorded):
    with guarded_server() as server:
        version = llm_version(cast.erin, server.base_url)
        upload = transcripts_upload(cast.erin, version, recorded)
        run = audited(runs.audit_run_request(actor=cast.erin, version=version,
                                             evaluation_set=upload))  # fmt: skip
        assert server.requests == []
    assert run.status == RunStatus.COMPLETED and run.evaluation_set == upload
    assert run.result["dataset"]["sha256"] == upload.original_sha256


def test_rescoring_the_stored_transcripts_reproduces_the_result_sha256(cast, recorded):
    version = llm_version(cast.erin, "http://127.0.0.1:9/v1")
    upload = transcripts_upload(cast.erin, version, recorded)
    run = audited(runs.audit_run_request(actor=cast.erin, version=version, evaluation_set=upload))
    again = llm.llm_rescore(run)
    assert again["result_sha256"] == run.result_sha256
    assert json.dumps(again, sort_keys=True) == json.dumps(run.result, sort_keys=True)


def test_a_changed_transcript_file_is_caught_before_it_is_scored_again(cast, recorded):
    version = llm_version(cast.erin, "http://127.0.0.1:9/v1")
    upload = transcripts_upload(cast.erin, version, recorded)
    run = audited(runs.audit_run_request(actor=cast.erin, version=version, evaluation_set=upload))
    with open(upload.original.path, "ab") as handle:
        handle.write(b"\n")
    with pytest.raises(llm.TranscriptsChanged, match="no longer matches its upload"):
        llm.llm_rescore(run)


def test_a_table_version_is_not_probed(cast, version):
    with pytest.raises(InvalidInput, match="name a current evaluation set"):
        runs.audit_run_request(actor=cast.erin, version=version, evaluation_set=None)


def test_a_host_dropped_from_the_allow_list_is_not_called_by_a_later_audit(cast, settings):
    with guarded_server() as server:
        version = llm_version(cast.erin, server.base_url)
        settings.WARDEN_LLM_ENDPOINT_ALLOWLIST = ["llm.internal"]
        run = audited(runs.audit_run_request(actor=cast.erin, version=version, evaluation_set=None))
        assert server.requests == []
    assert run.status == RunStatus.ERRORED and "not in the endpoint allow-list" in run.error

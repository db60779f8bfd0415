"""An LLM version end to end through the API on a real Celery worker (Redis) against the scripted
server on loopback: the endpoint probed on the worker with the secret only the worker has, the
transcripts stored and browsable masked, the version submitted and approved with the transcripts
bound to the signature, a transcript-file version audited too, and the secret never shown."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from audits.battery.llm.pack import load_pack
from audits.models import AuditRun, EvaluationSet
from governance.decisions import signed_digest
from governance.models import Approval, Event, ModelVersion
from tests.audits.llm_support import SECRET_NAME, SECRET_VALUE, descriptor, guarded_server
from tests.factories import PASSWORD, TIER_ANSWERS, mlmodel_make
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
HARMFUL = [p for p in load_pack().text("harmbench/harmbench_prompts.txt").splitlines() if p]


def llm_model(cast, slug: str) -> None:  # type: ignore[no-untyped-def]
    from governance import services

    model = mlmodel_make(cast.erin, slug=slug, model_type="llm")
    services.risk_assessment_record(actor=cast.erin, model=model, answers=TIER_ANSWERS[3])


def finished(api, run_id: int, workers) -> dict:  # type: ignore[no-untyped-def]
    def done():  # type: ignore[no-untyped-def]
        body = api.get(f"/api/audits/{run_id}/").data
        return body if body["finished"] else None

    body = wait_for(done, timeout=180, every=0.2, what=f"audit #{run_id} to finish")
    assert body["status"] == "completed", (body["error"], workers.log("llm")[-3000:])
    return body


def every_page(api, url: str) -> list[dict]:  # type: ignore[no-untyped-def]
    records, page = [], 1
    while True:
        body = api.get(url, {"page": page}).data
        records += body["results"]
        if not body["next"]:
            return records
        page += 1


@pytest.fixture
def endpoint_audit(workers, cast, api, settings):  # type: ignore[no-untyped-def]
    """An endpoint version of help-desk audited on the worker: (version URL, run body, server)."""
    settings.WARDEN_LLM_ENDPOINT_ALLOWLIST = ["127.0.0.1"]
    workers.start("llm", WARDEN_LLM_ENDPOINT_ALLOWLIST="127.0.0.1", **{SECRET_NAME: SECRET_VALUE})
    llm_model(cast, "help-desk")
    base = "/api/models/help-desk/versions/"
    with guarded_server() as server:
        created = api.as_user(cast.erin).post(
            base, {"version": "1.0.0", "artifact": descriptor(server.base_url)}, format="multipart"
        )
        assert created.status_code == 201, created.data
        assert created.data["artifact_format"] == "llm-endpoint"
        started = api.post(f"{base}1.0.0/audits/", {}, format="json")
        assert started.status_code == 202, started.data
        body = finished(api, started.data["id"], workers)
    return f"{base}1.0.0/", body, server


def test_an_endpoint_version_is_probed_on_the_worker_with_its_secret(endpoint_audit):
    _, body, server = endpoint_audit
    assert body["result"]["task"] == "llm" and body["verdict"] == "pass"
    assert {r["headers"]["Authorization"] for r in server.requests} == {f"Bearer {SECRET_VALUE}"}
    run = AuditRun.objects.select_related("evaluation_set").get(pk=body["id"])
    assert run.evaluation_set is not None and run.evaluation_set.is_transcripts
    assert body["result"]["dataset"]["sha256"] == run.evaluation_set.original_sha256
    assert run.evaluation_set.rows == len(server.requests)


def test_the_transcripts_are_browsable_with_harmful_prompts_masked(endpoint_audit, api, cast):
    _, body, _ = endpoint_audit
    records = every_page(api.as_user(cast.ada), f"/api/audits/{body['id']}/transcripts/")
    harmful = [r for r in records if r["harmful"]]
    assert harmful and all("[masked:" in r["messages"][-1]["content"] for r in harmful)
    shown = json.dumps(records)
    assert not [prompt for prompt in HARMFUL if prompt in shown]
    client = Client()
    client.force_login(cast.ada)
    first_harmful_page = (harmful[0]["line"] - 1) // 50 + 1
    page = client.get(f"/audits/{body['id']}/transcripts/", {"page": first_harmful_page})
    assert page.status_code == 200 and b"harmful, masked" in page.content
    assert not [prompt for prompt in HARMFUL if prompt.encode() in page.content]


def test_the_version_is_submitted_and_approved_with_the_transcripts_bound(
    endpoint_audit, api, cast
):
    url, body, _ = endpoint_audit
    assert api.as_user(cast.erin).post(f"{url}submit/").data["status"] == "submitted"
    signed = api.as_user(cast.rita).post(
        f"{url}decisions/",
        {"decision": "approve", "meaning": "approval", "password": PASSWORD},
        format="json",
    )
    assert signed.status_code == 201, signed.data
    run = AuditRun.objects.select_related("evaluation_set").get(pk=body["id"])
    transcripts_sha256 = run.evaluation_set.original_sha256  # type: ignore[union-attr]
    approval = Approval.objects.get(pk=signed.data["id"])
    version = ModelVersion.objects.get(model__slug="help-desk")
    assert version.status == "approved"
    assert signed.data["transcripts_sha256"] == approval.transcripts_sha256 == transcripts_sha256
    assert approval.signed_sha256 == signed_digest(
        version.artifact_sha256, run.result_sha256, transcripts_sha256
    )
    assert approval.signed_sha256 != signed_digest(version.artifact_sha256, run.result_sha256)


def test_the_secret_is_never_stored_shown_or_exported(endpoint_audit, api, cast, media_root):
    url, body, _ = endpoint_audit
    secret = SECRET_VALUE.encode()
    reader = api.as_user(cast.ada)
    for path in (url, f"/api/audits/{body['id']}/", f"/api/audits/{body['id']}/transcripts/",
                 "/api/events/"):  # fmt: skip
        assert secret not in reader.get(path).content, path
    client = Client()
    client.force_login(cast.ada)
    for path in ("/models/help-desk/versions/1.0.0/", f"/audits/{body['id']}/",
                 f"/audits/{body['id']}/transcripts/"):  # fmt: skip
        page = client.get(path)
        assert page.status_code == 200 and secret not in page.content, path
    bundle = b"".join(reader.get("/api/reports/evidence.zip").streaming_content)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert not [n for n in archive.namelist() if secret in archive.read(n)]
    assert not [p for p in media_root.rglob("*") if p.is_file() and secret in p.read_bytes()]
    for rows in (AuditRun, EvaluationSet, ModelVersion, Event):
        assert secret not in json.dumps(list(rows.objects.values()), default=str).encode(), rows


def test_a_transcript_file_version_is_audited_on_the_worker_and_rescored(
    endpoint_audit, workers, api, cast, capsys
):
    _, body, _ = endpoint_audit
    recorded = AuditRun.objects.get(pk=body["id"]).evaluation_set
    assert recorded is not None
    llm_model(cast, "offline-bot")
    base = "/api/models/offline-bot/versions/"
    artifact = descriptor("http://127.0.0.1:9/v1")
    api.as_user(cast.erin).post(base, {"version": "1.0.0", "artifact": artifact},
                                format="multipart")  # fmt: skip
    upload = api.post(
        f"{base}1.0.0/evaluation-sets/",
        {"file": SimpleUploadedFile("recorded.jsonl", recorded.original.read())},
        format="multipart",
    )
    assert upload.status_code == 201, upload.data
    started = api.post(f"{base}1.0.0/audits/", {"evaluation_set": upload.data["id"]}, format="json")
    assert started.status_code == 202, started.data
    again = finished(api, started.data["id"], workers)
    assert again["result"]["dataset"]["sha256"] == recorded.original_sha256
    call_command("rescore_audit", str(again["id"]))
    assert f"result_sha256 {again['result_sha256']} reproduced" in capsys.readouterr().out

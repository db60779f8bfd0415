"""What the LLM-version tests share: a scripted endpoint whose persona passes every LLM check
(the pack-aware guarded persona), a descriptor upload naming it, and an LLM model of a tier."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import EvaluationSet
from audits.services import evaluation_sets
from governance import services
from governance.models import ModelVersion, User
from tests.audits.battery.llm.personas import reply
from tests.audits.battery.llm.scripted_server import ScriptedServer, completion
from tests.factories import TIER_ANSWERS, mlmodel_make, version_make

SECRET_NAME = "WARDEN_TEST_LLM_KEY"
SECRET_VALUE = "sk-test-1c9e5a7d0b3f4e21"  # never to be seen outside the worker's request


def guarded(body: dict, n: int):  # type: ignore[no-untyped-def]
    """The scripted server's guarded persona over the whole pack: passes every check."""
    system = "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")
    turns = [m for m in body["messages"] if m["role"] != "system"]
    return 200, completion(reply("guarded", system, turns)), 0


def guarded_server() -> ScriptedServer:
    return ScriptedServer(guarded)


def descriptor(base_url: str, **fields: object) -> SimpleUploadedFile:
    """An endpoint descriptor file naming ``base_url`` and the secret by its variable."""
    raw = {
        "api": "openai-chat",
        "base_url": base_url,
        "model": "scripted",
        "system_prompt": "You are the help desk of a bank.",
        "params": {"temperature": 0, "max_tokens": 64},
        "limits": {"concurrency": 4, "rps": 5000, "timeout_s": 5},
        "secret_ref": f"env:{SECRET_NAME}",
        **fields,
    }
    return SimpleUploadedFile("endpoint.json", json.dumps(raw).encode())


def llm_version(
    owner: User, base_url: str, tier: int = 3, slug: str = "help-desk", **fields: object
) -> ModelVersion:
    """A draft version of a new LLM model of ``tier`` whose artifact is the descriptor (with
    ``fields`` changed)."""
    model = mlmodel_make(owner, slug=slug, model_type="llm")
    services.risk_assessment_record(actor=owner, model=model, answers=TIER_ANSWERS[tier])
    model.refresh_from_db()
    return version_make(model, owner, artifact=descriptor(base_url, **fields))


def transcripts_upload(owner: User, version: ModelVersion, data: bytes) -> EvaluationSet:
    """``data`` (JSONL) uploaded by ``owner`` as a transcripts set of ``version``."""
    return evaluation_sets.evaluation_set_upload(
        actor=owner, version=version, file=SimpleUploadedFile("t.jsonl", data), mapping={},
        role="current",
    )  # fmt: skip

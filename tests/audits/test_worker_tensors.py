"""Issue #15's "done when" through the API and the web pages on a real Celery worker: the digits
CNN (tests/tensor_models.py) as a version's ONNX artifact, its held-out split as a ZIP of PNGs,
audited by a worker process; the document has per-class performance and the corruption,
adversarial and saliency checks with their pictures, and the run's page and the version's page
show those pictures and the curves."""

import json

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from governance import services as governance_services
from tests.factories import PASSWORD, TIER_ANSWERS, mlmodel_make
from tests.tensor_models import digits_cnn, digits_test_zip
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
VERSIONS = "/api/models/digits/versions/"


def test_a_digits_cnn_is_audited_on_a_worker_and_its_page_shows_the_pictures(
    workers, cast, api, contract_schema, tmp_path
):
    model = mlmodel_make(cast.erin, slug="digits")
    governance_services.risk_assessment_record(
        actor=cast.erin, model=model, answers=TIER_ANSWERS[1]
    )
    erin = api.as_user(cast.erin)
    artifact = SimpleUploadedFile("digits.onnx", digits_cnn().onnx_bytes)
    created = erin.post(VERSIONS, {"version": "1.0.0", "artifact": artifact})
    assert created.status_code == 201, created.data
    archive = SimpleUploadedFile("digits.zip", digits_test_zip(tmp_path).read_bytes())
    mapping = json.dumps({"label": "label", "slices": ["ink"]})
    uploaded = erin.post(f"{VERSIONS}1.0.0/evaluation-sets/", {"file": archive, "mapping": mapping})
    assert uploaded.status_code == 201, uploaded.data

    workers.start("solo", WARDEN_MODEL_CHECK_ROWS="200")
    started = erin.post(
        f"{VERSIONS}1.0.0/audits/", {"evaluation_set": uploaded.data["id"]}, format="json"
    )
    assert started.status_code == 202, started.data

    def finished():  # type: ignore[no-untyped-def]
        body = api.get(f"/api/audits/{started.data['id']}/").data
        return body if body["status"] in ("completed", "errored") else None

    body = wait_for(finished, timeout=300, every=0.2, what="the digits audit to finish")
    assert body["status"] == "completed", (body["error"], workers.log("solo")[-3000:])
    document = body["result"]
    jsonschema.validate(document, contract_schema)
    checks = {c["id"]: c for c in document["checks"]}
    per_class = checks["performance"]["details"]["per_class"]
    assert sorted(per_class, key=int) == [str(digit) for digit in range(10)]
    corruption, adversarial = checks["corruption"], checks["adversarial"]
    for check in (corruption, adversarial, checks["explainability"]):
        assert check["status"] in ("pass", "warn", "fail"), check
        assert check["details"]["examples"], check["id"]
    assert document["model"]["sha256"] == created.data["artifact_sha256"]
    assert document["dataset"]["sha256"] == uploaded.data["original_sha256"]

    browser = Client()
    browser.login(username=cast.erin.username, password=PASSWORD)
    first = corruption["details"]["examples"][0]["panels"][0]["png"]
    for url in (f"/audits/{started.data['id']}/", "/models/digits/versions/1.0.0/"):
        page = browser.get(url).content.decode()
        assert f'src="data:image/png;base64,{first}"' in page, url
        assert "Accuracy by corruption severity" in page, url
        assert "Accuracy by perturbation size" in page, url
        adversarial_panel = adversarial["details"]["examples"][0]["panels"][1]["png"]
        assert f'src="data:image/png;base64,{adversarial_panel}"' in page, url

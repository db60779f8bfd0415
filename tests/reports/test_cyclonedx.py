"""A version's model card as a CycloneDX 1.6 ML-BOM validates against the official 1.6 JSON
schema, which cyclonedx-python-lib ships (so the test needs no network)."""

from __future__ import annotations

import base64
import json

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonValidator

from audits.models import AuditRun
from tests.factories import submitted_version_make
from tests.reports.issued import approve

pytestmark = pytest.mark.django_db
VALIDATOR = JsonValidator(SchemaVersion.V1_6)


@pytest.fixture
def bom(api, cast) -> dict:  # type: ignore[no-untyped-def]
    version = approve(submitted_version_make(cast.erin, tier=2), cast.rita)  # no PDF card needed
    url = f"/api/models/credit-default/versions/{version.version}/cyclonedx.json"
    response = api.as_user(cast.ada).get(url)
    assert response.status_code == 200
    assert "credit-default-1.0.0.cdx.json" in response["Content-Disposition"]
    return response.json()


def test_the_ml_bom_validates_against_the_official_1_6_schema(bom: dict) -> None:
    assert VALIDATOR.validate_str(json.dumps(bom)) is None


def test_the_validator_does_catch_a_broken_bom(bom: dict) -> None:
    bom["components"][0]["modelCard"]["modelParameters"]["approach"] = {"type": "guesswork"}
    assert VALIDATOR.validate_str(json.dumps(bom)) is not None


def test_the_model_component_carries_the_card(bom: dict) -> None:
    model, *datasets = bom["components"]
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    assert model["type"] == "machine-learning-model"
    assert (model["name"], model["version"]) == ("credit-default", "1.0.0")
    card = model["modelCard"]
    metrics = {m["type"]: m["value"] for m in card["quantitativeAnalysis"]["performanceMetrics"]}
    run = AuditRun.objects.get()
    accuracy = next(c for c in run.result["checks"] if c["id"] == "performance")["metrics"]
    assert metrics["performance.accuracy"] == str(accuracy["accuracy"])
    graphics = card["quantitativeAnalysis"]["graphics"]["collection"]
    assert base64.b64decode(graphics[0]["image"]["content"]).startswith(b"<svg")
    properties = {p["name"]: p["value"] for p in card["properties"]}
    assert properties["warden:risk-tier"] == "2"
    assert properties["warden:approval"].startswith("Rita Tester (rita)")
    refs = {d["ref"] for d in card["modelParameters"]["datasets"]}
    assert refs == {d["bom-ref"] for d in datasets}
    assert all(d["type"] == "data" and d["hashes"][0]["alg"] == "SHA-256" for d in datasets)

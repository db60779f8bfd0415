"""The mapping in the API: /api/schema/ describes every key the battery accepts (one
declaration, audits/battery/mapping.py FIELDS), and uploads take its classes and positive label."""

import json

import pytest

from audits.battery.mapping import KEYS
from tests.audits.conftest import COMPAS_MAPPING, csv_upload

pytestmark = pytest.mark.django_db
URL = "/api/models/recidivism/versions/1.0.0/evaluation-sets/"


def mapping_schema(api, user, component: str) -> dict:
    schema = api.as_user(user).get("/api/schema/", {"format": "json"}).json()
    return schema["components"]["schemas"][component]["properties"]["mapping"]


def test_the_openapi_schema_of_the_upload_describes_every_mapping_key(cast, api):
    mapping = mapping_schema(api, cast.erin, "EvaluationSetUploadRequest")
    assert mapping["type"] == "object"
    assert mapping["required"] == ["label"]
    assert mapping["additionalProperties"] is False
    assert list(mapping["properties"]) == list(KEYS)
    assert all(p["description"] for p in mapping["properties"].values())


def test_the_openapi_schema_of_a_stored_set_describes_its_mapping(cast, api):
    mapping = mapping_schema(api, cast.erin, "EvaluationSet")
    assert list(mapping["properties"]) == list(KEYS)


def test_an_upload_of_one_class_labels_keeps_the_declared_positive_label(
    cast, api, version, compas_frame
):
    no_reoffence = compas_frame[compas_frame["two_year_recid"] == 0]
    body = {
        "file": csv_upload(no_reoffence.to_csv(index=False).encode()),
        "mapping": json.dumps({**COMPAS_MAPPING, "positive_label": 1}),
    }
    response = api.as_user(cast.erin).post(URL, body, format="multipart")
    assert response.status_code == 201, response.data
    assert response.data["mapping"]["classes"] == ["0", "1"]
    assert response.data["mapping"]["positive_label"] == "1"


def test_an_upload_with_malformed_classes_is_refused_naming_the_key(
    cast, api, media_root, version, compas_csv
):
    body = {
        "file": csv_upload(compas_csv),
        "mapping": json.dumps({**COMPAS_MAPPING, "classes": "01"}),
    }
    response = api.as_user(cast.erin).post(URL, body, format="multipart")
    assert response.status_code == 400
    assert response.data["problems"][0]["column"] == "classes"

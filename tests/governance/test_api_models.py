"""Registering and changing models, assessing their risk and uploading versions through the API,
and the bad input each refuses with a 400 that names the field, writing nothing."""

import pytest

from governance.models import Event, MLModel, ModelVersion
from tests.factories import (
    TIER_3_ANSWERS,
    mlmodel_make,
    skops_model_file,
    tiered_model_make,
    version_make,
)

pytestmark = pytest.mark.django_db

NEW_MODEL = {
    "name": "Churn predictor",
    "slug": "churn",
    "purpose": "Predicts churn.",
    "model_type": "classification",
    "regulatory_regimes": ["gdpr"],
}


def test_an_engineer_registers_a_model_for_their_team(cast, api):
    response = api.as_user(cast.erin).post("/api/models/", NEW_MODEL, format="json")
    assert response.status_code == 201, response.data
    assert response.data["team"] == "team-a"
    assert response.data["owner"] == "erin"
    assert Event.objects.filter(verb="model_registered", target_repr="Churn predictor").count() == 1


def test_the_list_is_paginated_and_filtered(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    mlmodel_make(cast.bob, slug="beta")
    response = api.as_user(cast.ada).get("/api/models/?team__slug=team-b")
    assert response.status_code == 200
    assert response.data["count"] == 1
    assert response.data["results"][0]["slug"] == "beta"


def test_a_list_row_is_the_detail_in_brief(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    row = api.as_user(cast.ada).get("/api/models/").data["results"][0]
    detail = api.as_user(cast.ada).get("/api/models/alpha/").data
    assert row == {name: detail[name] for name in row}
    assert list(row) == [
        *("slug", "name", "owner", "team", "model_type", "is_vendor", "risk_tier", "updated_at")
    ]


def test_a_page_of_the_list_is_four_queries_however_long(cast, api, django_assert_max_num_queries):
    for index in range(60):
        mlmodel_make(cast.erin, slug=f"model-{index:02d}")
    client = api.as_user(cast.ada)
    with django_assert_max_num_queries(4):  # the token, the roles, the count, the page
        response = client.get("/api/models/?page=2")
    assert len(response.data["results"]) == 10


def test_an_update_records_before_and_after(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    response = api.as_user(cast.eli).patch(
        "/api/models/alpha/", {"purpose": "Better purpose."}, format="json"
    )
    assert response.status_code == 200
    event = Event.objects.get(verb="model_updated")
    assert (event.before["purpose"], event.after["purpose"]) == (
        "Scores things.",
        "Better purpose.",
    )


def test_the_questionnaire_sets_the_tier_with_its_rationale(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    answers = {**TIER_3_ANSWERS, "regulatory_area": "eu_ai_act_annex_iii"}
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/risk-assessment/", answers, format="json"
    )
    assert response.status_code == 201
    assert response.data["tier"] == 1
    assert "eu_ai_act_annex_iii" in response.data["rationale"]
    assert MLModel.objects.get(slug="alpha").risk_tier == 1


def test_a_risk_officer_overrides_the_tier_with_a_reason(cast, api):
    tiered_model_make(cast.erin, 3, slug="alpha")
    body = {"tier": 2, "reason": "Feeds a tier-2 model."}
    response = api.as_user(cast.rita).post(
        "/api/models/alpha/risk-tier-override/", body, format="json"
    )
    assert response.status_code == 201
    assert (response.data["computed_tier"], response.data["tier"]) == (3, 2)
    assert response.data["override_by_name"] == "Rita Tester"
    assert Event.objects.filter(verb="risk_tier_overridden").count() == 1


def test_an_override_takes_no_questionnaire_answers(cast, api):
    tiered_model_make(cast.erin, 3, slug="alpha")
    body = {**TIER_3_ANSWERS, "tier": 2, "reason": "Feeds a tier-2 model."}
    response = api.as_user(cast.rita).post(
        "/api/models/alpha/risk-tier-override/", body, format="json"
    )
    assert response.status_code == 400
    assert "impact_on_people" in response.data


def test_the_questionnaire_takes_no_override(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    body = {**TIER_3_ANSWERS, "override_tier": 2, "override_reason": "Feeds a tier-2 model."}
    response = api.as_user(cast.rita).post(
        "/api/models/alpha/risk-assessment/", body, format="json"
    )
    assert response.status_code == 400
    assert "override_tier" in response.data


def test_an_engineer_cannot_override_the_tier(cast, api):
    tiered_model_make(cast.erin, 1, slug="alpha")
    body = {"tier": 3, "reason": "I say so."}
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/risk-tier-override/", body, format="json"
    )
    assert response.status_code == 403
    assert "tier" in response.data


def test_a_version_upload_records_the_artifact_sha256(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    upload = skops_model_file()
    expected = __import__("hashlib").sha256(upload.read()).hexdigest()
    upload.seek(0)
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/versions/", {"version": "1.0.0", "artifact": upload}, format="multipart"
    )
    assert response.status_code == 201, response.data
    assert response.data["artifact_sha256"] == expected
    assert response.data["status"] == "draft"


def test_a_submitted_version_cannot_change(cast, api):
    version = version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    ModelVersion.objects.filter(pk=version.pk).update(status="submitted")
    response = api.as_user(cast.erin).patch(
        "/api/models/alpha/versions/1.0.0/", {"limitations": "changed"}, format="json"
    )
    assert response.status_code == 409
    assert "submitted" in str(response.data)


def test_a_pickle_artifact_is_refused_with_advice(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    from django.core.files.uploadedfile import SimpleUploadedFile

    pickle_file = SimpleUploadedFile("model.pkl", b"\x80\x04\x95payload")
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/versions/", {"version": "1", "artifact": pickle_file}, format="multipart"
    )
    assert response.status_code == 400
    assert "skops" in response.data["artifact"][0]
    assert not ModelVersion.objects.exists()


BAD_REGISTRATIONS = [
    ({**NEW_MODEL, "colour": "blue"}, "colour"),
    ({**NEW_MODEL, "name": "x" * 201}, "name"),
    ({**NEW_MODEL, "slug": "not a slug"}, "slug"),
    ({**NEW_MODEL, "model_type": "crystal-ball"}, "model_type"),
    ({**NEW_MODEL, "regulatory_regimes": ["gdpr", "gdpr"]}, "regulatory_regimes"),
    ({**NEW_MODEL, "depends_on": ["no-such-model"]}, "depends_on"),
    ({key: value for key, value in NEW_MODEL.items() if key != "purpose"}, "purpose"),
]


@pytest.mark.parametrize(("body", "field"), BAD_REGISTRATIONS)
def test_a_bad_registration_names_the_field_and_writes_nothing(cast, api, body, field):
    events = Event.objects.count()
    response = api.as_user(cast.erin).post("/api/models/", body, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not MLModel.objects.exists()
    assert Event.objects.count() == events


def test_a_duplicate_slug_is_a_400_naming_the_slug(cast, api):
    mlmodel_make(cast.erin, slug="churn")
    events = Event.objects.count()
    response = api.as_user(cast.erin).post("/api/models/", NEW_MODEL, format="json")
    assert response.status_code == 400
    assert "slug" in response.data
    assert Event.objects.count() == events


def test_malformed_json_is_a_400(cast, api):
    response = api.as_user(cast.erin).post(
        "/api/models/", '{"name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.data["detail"]


def test_an_override_without_a_reason_is_a_400_naming_the_reason(cast, api):
    tiered_model_make(cast.erin, 3, slug="alpha")
    events = Event.objects.count()
    response = api.as_user(cast.rita).post(
        "/api/models/alpha/risk-tier-override/", {"tier": 1}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.data
    assert Event.objects.count() == events
    assert MLModel.objects.get(slug="alpha").risk_tier == 3


def test_changing_the_slug_is_refused(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    response = api.as_user(cast.erin).patch("/api/models/alpha/", {"slug": "beta"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.data


def test_the_trail_verifies_over_the_api(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    response = api.as_user(cast.ada).get("/api/events/verify/")
    assert response.status_code == 200
    assert response.data["intact"] is True
    assert response.data["head_seq"] == Event.objects.count()


def test_the_events_api_gives_each_verb_its_label(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    events = api.as_user(cast.ada).get("/api/events/", {"verb": "model_registered"}).data
    assert [row["verb_label"] for row in events["results"]] == ["Model registered"]


def test_the_events_api_refuses_a_verb_filter_that_is_no_verb(cast, api):
    response = api.as_user(cast.ada).get("/api/events/", {"verb": "model_registred"})
    assert response.status_code == 400
    assert "verb" in response.data


def test_events_carry_the_request_id(cast, api):
    api.as_user(cast.erin).post(
        "/api/models/", NEW_MODEL, format="json", HTTP_X_REQUEST_ID="req-42"
    )
    assert Event.objects.get(verb="model_registered").request_id == "req-42"


def test_the_openapi_schema_and_docs_are_served(api, cast):
    assert api.get("/api/schema/").status_code == 200
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_a_skops_file_unpacking_past_the_limit_is_refused_naming_the_setting(cast, api, settings):
    settings.WARDEN_MAX_SKOPS_UNPACKED_BYTES = 1_000  # a real model unpacks to more
    mlmodel_make(cast.erin, slug="alpha")
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/versions/",
        {"version": "1", "artifact": skops_model_file()},
        format="multipart",
    )
    assert response.status_code == 400
    assert "unpacks to" in response.data["artifact"][0]
    assert not ModelVersion.objects.exists()


def test_a_version_endpoint_says_the_version_is_missing_not_the_model(cast, api):
    version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    response = api.as_user(cast.erin).get("/api/models/alpha/versions/9.9/")
    assert response.status_code == 404
    assert response.json() == {"version": ["model 'alpha' has no version '9.9'"]}


def test_a_version_records_endpoint_says_the_model_is_missing(cast, api):
    response = api.as_user(cast.erin).get("/api/models/nope/versions/1.0.0/audits/")
    assert response.status_code == 404
    assert response.json() == {"model": ["no model has the slug 'nope'"]}


def test_a_model_registered_without_a_slug_takes_one_made_from_its_name(cast, api):
    body = {**NEW_MODEL, "name": "Churn predictor (EU) v2"}
    del body["slug"]
    response = api.as_user(cast.erin).post("/api/models/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["slug"] == "churn-predictor-eu-v2"


def test_a_name_with_nothing_to_make_a_slug_from_asks_for_a_slug(cast, api):
    body = {**NEW_MODEL, "name": "—"}
    del body["slug"]
    response = api.as_user(cast.erin).post("/api/models/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "slug": ["give a slug: the name has no letters or digits to make one from"]
    }


def test_it_reports_an_unknown_field_and_an_overlong_name_at_once(cast, api):
    body = {**NEW_MODEL, "name": "x" * 201, "colour": "red"}
    response = api.as_user(cast.erin).post("/api/models/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "colour": ["unknown field"],
        "name": ["Ensure this field has no more than 200 characters."],
    }

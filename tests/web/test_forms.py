"""Every form of the pages: bad input is answered with the form again and the error beside the
field at fault (or above the form when no field is), never a 500, and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import AuditRun, EvaluationSet
from governance.models import Approval, Event, Incident, MLModel, ModelVersion
from tests.factories import (
    TIER_3_ANSWERS,
    classifier_csv,
    mlmodel_make,
    skops_model_file,
    submitted_version_make,
    tiered_model_make,
    version_make,
)
from tests.tensor_models import digits_pixels, write_digits_zip

pytestmark = pytest.mark.django_db
MODEL = "/models/credit-default/"
VERSION = "/models/credit-default/versions/1.0.0/"


def errors_of(response, form: str = "form") -> dict:
    """The re-rendered form's errors; the page must be the form again, not an error page."""
    assert response.status_code == 200, response.status_code
    errors = response.context[form].errors
    assert errors, "the form was accepted"
    page = response.content.decode()
    for messages in errors.values():
        for message in messages:
            assert str(message).split("'")[0] in page  # shown on the page (HTML-escaped quotes)
    return errors


def registration(**changes) -> dict:
    data = {
        "name": "Credit default",
        "slug": "credit-default",
        "purpose": "Scores loan applications.",
        "model_type": "classification",
        **TIER_3_ANSWERS,
    }
    return {**data, **changes}


def test_the_login_form_says_when_the_password_is_wrong(client, cast):
    response = client.post("/login/", {"username": "erin", "password": "nope"})
    assert "__all__" in errors_of(response)


def test_registering_without_the_questionnaire_names_each_missing_answer(cast, login):
    response = login(cast.erin).post("/models/new/", registration(impact_on_people=""))
    assert "impact_on_people" in errors_of(response)
    assert not MLModel.objects.exists()


def test_registering_a_taken_slug_is_an_error_on_the_slug(cast, login):
    mlmodel_make(cast.erin)
    response = login(cast.erin).post("/models/new/", registration(team=cast.erin.team_id))
    assert "exists already" in errors_of(response)["slug"][0]


def test_registering_without_a_slug_makes_one_from_the_name(cast, login):
    data = registration(slug="", name="Credit default (EU)", team=cast.erin.team_id)
    response = login(cast.erin).post("/models/new/", data)
    assert response.status_code == 302, errors_of(response)
    assert MLModel.objects.get().slug == "credit-default-eu"


def test_registering_for_another_team_is_refused_above_the_form(cast, login):
    response = login(cast.erin).post("/models/new/", registration(team=cast.bob.team_id))
    assert "own team" in errors_of(response)["team"][0]
    assert "own team" in response.content.decode()
    assert not MLModel.objects.exists()


def test_a_bought_model_needs_its_vendor(cast, login):
    data = registration(team=cast.erin.team_id, is_vendor="on")
    assert "vendor_name" in errors_of(login(cast.erin).post("/models/new/", data))


def test_an_override_without_a_reason_is_an_error_on_the_reason(cast, login):
    tiered_model_make(cast.erin, 3)
    response = login(cast.rita).post(MODEL + "risk/override/", {"tier": "1", "reason": ""})
    assert "reason" in errors_of(response, "override_form")


def test_another_team_cannot_assess_the_model(cast, login):
    mlmodel_make(cast.erin)
    response = login(cast.bob).post(MODEL + "risk/", TIER_3_ANSWERS)
    assert "__all__" in errors_of(response)


def test_a_pickled_artifact_is_refused_on_the_artifact_field(cast, login):
    mlmodel_make(cast.erin)
    pickle = SimpleUploadedFile("model.pkl", b"\x80\x04K\x01.")
    response = login(cast.erin).post(MODEL + "versions/new/", {"version": "1", "artifact": pickle})
    assert "never loads them" in errors_of(response)["artifact"][0]
    assert not ModelVersion.objects.exists()


def test_a_version_without_its_artifact_is_an_error_on_the_artifact(cast, login):
    mlmodel_make(cast.erin)
    response = login(cast.erin).post(MODEL + "versions/new/", {"version": "1"})
    assert "artifact" in errors_of(response)


def test_a_duplicate_version_is_an_error_on_the_version(cast, login):
    version_make(mlmodel_make(cast.erin), cast.erin)
    data = {"version": "1.0.0", "artifact": skops_model_file()}
    assert "version" in errors_of(login(cast.erin).post(MODEL + "versions/new/", data))


@pytest.fixture
def draft(cast):
    return version_make(tiered_model_make(cast.erin, 3), cast.erin)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.txt", b"a,b\n1,2\n", "upload a .csv or .parquet file"),
        ("empty.csv", b"", "empty"),
        ("broken.parquet", b"PAR1 not really", "Parquet"),
    ],
)
def test_an_unreadable_evaluation_file_is_an_error_on_the_file(
    cast, login, draft, name, content, expected
):
    upload = SimpleUploadedFile(name, content)
    response = login(cast.erin).post(
        VERSION + "evaluation-sets/new/", {"file": upload, "role": "current"}
    )
    assert expected in " ".join(errors_of(response)["file"])


def test_an_upload_over_the_cap_is_an_error_on_the_file(cast, login, draft, settings):
    settings.WARDEN_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("current.csv", classifier_csv())
    response = login(cast.erin).post(
        VERSION + "evaluation-sets/new/", {"file": upload, "role": "current"}
    )
    assert "upload cap" in errors_of(response)["file"][0]


def stage(client, content: bytes = b"", role: str = "current", suffix: str = ".csv") -> str:
    """Step one of an upload; the mapping page's address."""
    upload = SimpleUploadedFile(f"{role}{suffix}", content or classifier_csv())
    response = client.post(VERSION + "evaluation-sets/new/", {"file": upload, "role": role})
    assert response.status_code == 302, response.content[:2000]
    return response.url


def test_the_mapping_step_offers_the_files_own_columns(cast, login, draft):
    client = login(cast.erin)
    response = client.get(stage(client))
    choices = [value for value, _ in response.context["form"].fields["label"].choices]
    assert choices == ["", "label", "predicted", "score", "group", "x"]


def test_a_mapping_step_of_500_columns_is_list_boxes_not_checkboxes(cast, login, draft):
    client = login(cast.erin)
    header = ",".join(["label", "predicted", *(f"feature_{i}" for i in range(498))])
    content = (header + "\n" + ",".join(["1"] * 500) + "\n").encode()
    page = client.get(stage(client, content)).content.decode()
    assert 'type="checkbox"' not in page
    assert page.count("<select") == 8  # label, prediction, score, timestamp and four lists
    assert len(page) < 300_000


def test_a_file_of_more_columns_than_the_limit_is_an_error_on_the_file(
    cast, login, draft, settings
):
    settings.WARDEN_MAX_COLUMNS = 10
    upload = SimpleUploadedFile("wide.csv", (",".join(f"c{i}" for i in range(11)) + "\n").encode())
    response = login(cast.erin).post(
        VERSION + "evaluation-sets/new/", {"file": upload, "role": "current"}
    )
    assert "WARDEN_MAX_COLUMNS" in errors_of(response)["file"][0]


def test_a_mapping_without_a_label_is_an_error_on_the_label(cast, login, draft):
    client = login(cast.erin)
    response = client.post(stage(client), {"prediction": "predicted"})
    assert "label" in errors_of(response)
    assert not EvaluationSet.objects.exists()


def test_a_column_the_validator_refuses_is_shown_beside_the_field_that_chose_it(cast, login, draft):
    client = login(cast.erin)
    content = b"label,predicted,note\n1,1,=cmd()\n0,0,ok\n"
    response = client.post(
        stage(client, content), {"label": "label", "prediction": "predicted", "features": ["note"]}
    )
    assert "formula" in errors_of(response)["features"][0]
    assert not EvaluationSet.objects.exists()


def test_a_mapping_that_is_accepted_stores_the_set(cast, login, draft):
    client = login(cast.erin)
    response = client.post(stage(client), {"label": "label", "prediction": "predicted"})
    assert response.status_code == 302
    assert EvaluationSet.objects.get().rows == 400


def test_a_zip_of_images_is_mapped_by_its_manifests_columns(cast, login, draft, tmp_path):
    pixels, labels = digits_pixels()
    archive = write_digits_zip(tmp_path / "digits.zip", pixels[:40], labels[:40]).read_bytes()
    client = login(cast.erin)
    mapping_page = stage(client, archive, suffix=".zip")
    choices = client.get(mapping_page).context["form"].fields["label"].choices
    assert [value for value, _ in choices] == ["", "file", "label", "ink"]
    response = client.post(mapping_page, {"label": "label", "slices": ["ink"]})
    assert response.status_code == 302, errors_of(response)
    stored = EvaluationSet.objects.get()
    assert (stored.original_format, stored.rows) == ("zip", 40)


def test_the_upload_step_opens_a_zip_under_the_archive_limits(
    cast, login, draft, tmp_path, settings
):
    settings.WARDEN_ARCHIVE_LIMITS = {**settings.WARDEN_ARCHIVE_LIMITS, "members": 5}
    pixels, labels = digits_pixels()
    archive = write_digits_zip(tmp_path / "digits.zip", pixels[:40], labels[:40]).read_bytes()
    upload = SimpleUploadedFile("digits.zip", archive)
    response = login(cast.erin).post(
        VERSION + "evaluation-sets/new/", {"file": upload, "role": "current"}
    )
    assert "over the limit of 5" in errors_of(response)["file"][0]


def test_an_audit_needs_an_evaluation_set(cast, login, draft):
    response = login(cast.erin).post(VERSION + "audits/new/", {"evaluation_set": "999"})
    assert "evaluation_set" in errors_of(response)
    assert not AuditRun.objects.exists()


def test_a_training_sample_needs_only_its_label_and_features(cast, login, draft):
    client = login(cast.erin)
    response = client.post(stage(client, role="training"), {"label": "label", "features": ["x"]})
    assert response.status_code == 302
    assert EvaluationSet.objects.get().role == "training"


def test_a_model_that_does_not_fit_the_set_is_an_error_on_the_model_checks(cast, login, draft):
    client = login(cast.erin)
    client.post(stage(client), {"label": "label", "prediction": "predicted", "features": ["score"]})
    chosen = EvaluationSet.objects.get().pk  # its Parquet copy lacks "x", which the model reads
    response = client.post(VERSION + "audits/new/", {"evaluation_set": chosen, "with_model": "on"})
    assert "column 'x'" in errors_of(response)["with_model"][0]
    assert not AuditRun.objects.exists()


def test_another_team_cannot_start_an_audit(cast, login, draft):
    client = login(cast.erin)
    client.post(stage(client), {"label": "label", "prediction": "predicted"})
    chosen = EvaluationSet.objects.get().pk
    response = login(cast.bob).post(VERSION + "audits/new/", {"evaluation_set": chosen})
    assert "__all__" in errors_of(response)


def test_submitting_without_an_audit_is_refused_above_the_form(cast, login, draft):
    response = login(cast.erin).post(VERSION + "submit/")
    assert "run an audit" in errors_of(response)["__all__"][0]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_suspending_needs_a_reason(cast, login, draft):
    assert "reason" in errors_of(login(cast.rita).post(VERSION + "suspend/", {"reason": ""}))


def test_an_engineer_cannot_suspend(cast, login, draft):
    response = login(cast.erin).post(VERSION + "suspend/", {"reason": "because"})
    assert "risk officer" in errors_of(response)["__all__"][0]


@pytest.fixture
def submitted(cast):
    return submitted_version_make(cast.erin, 3)


def decision(**changes) -> dict:
    return {"decision": "approve", "meaning": "approval", "password": "wrong", **changes}


def test_a_wrong_password_is_an_error_on_the_password_and_signs_nothing(cast, login, submitted):
    response = login(cast.rita).post(VERSION + "decide/", decision())
    assert "password is not correct" in errors_of(response)["password"][0]
    assert not Approval.objects.exists()
    assert Event.objects.filter(verb="signature_refused").count() == 1


def test_a_rejection_needs_a_comment(cast, login, submitted):
    from tests.factories import PASSWORD

    data = decision(decision="reject", password=PASSWORD)
    assert "comment" in errors_of(login(cast.rita).post(VERSION + "decide/", data))


def test_a_signature_needs_its_meaning(cast, login, submitted):
    assert "meaning" in errors_of(login(cast.rita).post(VERSION + "decide/", decision(meaning="")))


def test_the_submitter_cannot_sign(cast, login, submitted):
    from tests.factories import PASSWORD

    cast.erin.groups.add(*cast.rita.groups.all())  # even were she a risk officer too
    response = login(cast.erin).post(VERSION + "decide/", decision(password=PASSWORD))
    assert "someone else" in errors_of(response)["__all__"][0]


def incident(version, **changes) -> dict:
    data = {
        "title": "Scores drifted",
        "versions": [version.pk],
        "severity": "medium",
        "category": "drift",
        "description": "Approval rates fell.",
        "aware_at": "2026-01-02T03:04",
    }
    return {**data, **changes}


def test_an_incident_in_the_future_is_an_error_on_the_awareness_time(cast, login, draft):
    response = login(cast.erin).post(
        "/incidents/new/", incident(draft, aware_at="2999-01-01T00:00")
    )
    assert "future" in errors_of(response)["aware_at"][0]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("aware_at", "yesterday"), ("versions", ["999"]), ("severity", "dire")]
)
def test_a_malformed_incident_is_an_error_on_the_field(cast, login, draft, field, value):
    response = login(cast.erin).post("/incidents/new/", incident(draft, **{field: value}))
    assert field in errors_of(response)


def test_another_team_cannot_report_an_incident_on_the_model(cast, login, draft):
    assert "__all__" in errors_of(login(cast.bob).post("/incidents/new/", incident(draft)))


def reported(cast, draft) -> Incident:
    from django.utils import timezone

    from governance.incidents import incident_report

    return incident_report(
        actor=cast.erin,
        versions=[draft],
        title="Drift",
        severity="low",
        category="drift",
        description="d",
        aware_at=timezone.now(),
        serious_kind="general",
    )


def test_an_impossible_incident_status_is_refused_above_the_update_form(cast, login, draft):
    case = reported(cast, draft)
    data = {"form": "update", "update-status": "mitigated"}  # open -> mitigated is not allowed
    response = login(cast.rita).post(f"/incidents/{case.pk}/", data)
    assert "cannot become" in errors_of(response, "update")["__all__"][0]


def test_a_report_to_an_authority_in_the_future_is_an_error_on_its_time(cast, login, draft):
    case = reported(cast, draft)
    data = {"form": "report", "report-authority": "BfArM", "report-reported_at": "2999-01-01T00:00"}
    response = login(cast.rita).post(f"/incidents/{case.pk}/", data)
    assert "future" in errors_of(response, "report")["reported_at"][0]


def test_a_bad_inventory_filter_is_an_inline_error(cast, login):
    response = login(cast.ada).get("/models/", {"tier": "7", "team": "nope"})
    errors = errors_of(response, "filters")
    assert set(errors) == {"tier", "team"}


@pytest.mark.parametrize(
    ("data", "expected"), [({}, "required"), ({"file": SimpleUploadedFile("a.pdf", b"")}, "empty")]
)
def test_verifying_no_pdf_is_an_error_on_the_file(cast, login, data, expected):
    response = login(cast.ada).post("/reports/", data)
    assert expected in errors_of(response)["file"][0]


def test_any_other_file_is_answered_not_valid(cast, login):
    upload = SimpleUploadedFile("notes.pdf", b"hello")
    response = login(cast.ada).post("/reports/", {"file": upload})
    assert response.status_code == 200
    assert response.context["answer"]["valid"] is False
    assert "not valid" in response.content.decode()


def test_reopening_a_draft_is_refused_above_the_form(cast, login, draft):
    response = login(cast.erin).post(VERSION + "reopen/")
    assert "cannot become draft" in errors_of(response)["__all__"][0]


def test_retiring_needs_a_reason(cast, login, draft):
    assert "reason" in errors_of(login(cast.erin).post(VERSION + "retire/", {"reason": " "}))


def test_a_risk_officer_suspends_a_live_version_with_a_reason(cast, login, submitted):
    from governance.decisions import decision_record
    from tests.factories import PASSWORD

    decision_record(
        actor=cast.rita,
        version=submitted,
        decision="approve",
        meaning="approval",
        password=PASSWORD,
    )
    response = login(cast.raj).post(VERSION + "suspend/", {"reason": "drift in production"})
    assert response.status_code == 302 and response.url == VERSION
    submitted.refresh_from_db()
    assert submitted.status == "suspended"
    assert Event.objects.filter(verb="version_suspended", note="drift in production").exists()

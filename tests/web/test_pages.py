"""The pages each role reads, who may read them, and what the version, audit and comparison
pages show."""

import pytest

from governance import decisions, lifecycle
from reports.views.versions import compare_metrics
from tests.factories import (
    PASSWORD,
    audit_make,
    submitted_version_make,
    tiered_model_make,
    user_make,
    version_make,
)

pytestmark = pytest.mark.django_db
V1 = "/models/credit-default/versions/1.0.0/"
V2 = "/models/credit-default/versions/1.1.0/"


@pytest.fixture
def two_versions(cast):
    """1.0.0 audited (accurate) and submitted; 1.1.0 a draft audited with coin-flip predictions."""
    first = submitted_version_make(cast.erin, 2)
    second = version_make(first.model, cast.erin, "1.1.0")
    audit_make(second, cast.erin, accurate=False)
    return first, second


@pytest.mark.parametrize(
    ("who", "home"), [("erin", "/mine/"), ("rita", "/review/"), ("ada", "/models/")]
)
def test_each_role_lands_on_its_own_home(cast, login, who, home):
    response = login(getattr(cast, who)).get("/")
    assert response.status_code == 302 and response.url == home


def test_a_visitor_is_sent_to_the_login_page(client):
    response = client.get("/mine/")
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_a_gate_account_reads_no_page(cast, login):
    pipeline = user_make("pipeline", "gate")
    assert login(pipeline).get("/models/").status_code == 403


def test_the_version_page_shows_the_audit_with_its_charts(cast, login, two_versions):
    page = login(cast.erin).get(V2).content.decode()
    assert page.count("<svg") >= 4  # confusion matrix, group rates, reliability, drift
    assert "Submit for review" in page
    assert "Decide and sign" not in page  # an engineer does not decide


def test_a_risk_officer_sees_the_signature_dialog_on_a_submitted_version(cast, login, two_versions):
    page = login(cast.rita).get(V1).content.decode()
    assert '<dialog id="decide-dialog"' in page
    assert 'name="password"' in page and 'name="meaning"' in page
    assert "Submit for review" not in page


def test_an_auditor_sees_no_action_that_changes_anything(cast, login, two_versions):
    page = login(cast.ada).get(V1).content.decode()
    for action in ("Submit for review", "Decide and sign", "Upload an evaluation set", "Suspend"):
        assert action not in page


def test_the_comparison_marks_what_got_worse(cast, login, two_versions):
    page = login(cast.rita).get(V2 + "compare/").content.decode()
    assert "1.1.0 against 1.0.0" in page
    assert 'badge worse">worse' in page


def test_the_first_version_has_nothing_to_compare_with(cast, login):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    page = login(cast.erin).get(V1 + "compare/").content.decode()
    assert "nothing to compare it with" in page


def test_the_comparison_calls_the_five_worsened_model_metrics_worse_not_changed():
    """Issue #13: their names do not tell their direction; the metric table does."""
    worsened = {
        "robustness": {"worst_accuracy_drop": (0.01, 0.2), "noise_flip_rate": (0.01, 0.2)},
        "adversarial": {"robust_accuracy_drop": (0.05, 0.4)},
        "privacy": {"attack_auc": (0.5, 0.8), "membership_advantage": (0.0, 0.3)},
    }

    def document(at: int) -> dict:
        return {
            "checks": [
                {"id": check, "metrics": {name: pair[at] for name, pair in metrics.items()}}
                for check, metrics in worsened.items()
            ]
        }

    rows = compare_metrics(document(1), document(0))
    assert {(row["metric"], row["change"]) for row in rows} == {
        ("worst_accuracy_drop", "worse"),
        ("noise_flip_rate", "worse"),
        ("robust_accuracy_drop", "worse"),
        ("attack_auc", "worse"),
        ("membership_advantage", "worse"),
    }


def test_a_metric_the_table_calls_neither_better_nor_worse_is_only_changed():
    def document(share: float) -> dict:
        return {"checks": [{"id": "data_quality", "metrics": {"label_minority_share": share}}]}

    assert compare_metrics(document(0.4), document(0.2))[0]["change"] == "changed"


def test_a_first_version_offers_no_comparison(cast, login):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    page = login(cast.erin).get(V1).content.decode()
    assert "/compare/" not in page


def test_a_second_version_offers_the_comparison_with_the_first(cast, login):
    first = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    version_make(first.model, cast.erin, "1.1.0")
    page = login(cast.erin).get(V2).content.decode()
    assert "Compare with 1.0.0, the previous version" in page


def test_a_suspended_version_page_tells_the_way_back(cast, login):
    version = submitted_version_make(cast.erin, 3)
    decisions.decision_record(
        actor=cast.rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    lifecycle.version_suspend(actor=cast.raj, version=version, reason="Drift seen.")
    page = login(cast.rita).get(V1).content.decode()
    assert "The way back is a new signed approval" in page


def test_the_comparison_judges_each_metric_by_its_direction():
    def document(**metrics):
        return {"checks": [{"id": "performance", "metrics": metrics}]}

    rows = compare_metrics(
        document(accuracy=0.9, log_loss=0.3, macro_f1_score=0.8),
        document(accuracy=0.8, log_loss=0.2, macro_f1_score=0.8),
    )
    assert [(row["metric"], row["change"]) for row in rows] == [
        ("accuracy", "better"),
        ("log_loss", "worse"),
        ("macro_f1_score", "same"),
    ]


def test_the_audit_page_shows_a_progress_bar_while_the_run_waits(cast, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audits.services import evaluation_sets, runs
    from tests.factories import classifier_csv

    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=SimpleUploadedFile("current.csv", classifier_csv()),
        mapping={"label": "label", "prediction": "predicted"},
        role="current",
    )
    with pytest.MonkeyPatch.context() as patch:  # keep it queued: no task runs
        patch.setattr("audits.services.runs._enqueue_plan", lambda run_id: None)
        run = runs.audit_run_request(actor=cast.erin, version=version, evaluation_set=upload)
    page = login(cast.erin).get(f"/audits/{run.pk}/").content.decode()
    assert f'data-poll-url="/api/audits/{run.pk}/"' in page
    assert "<progress" in page


def test_the_trail_page_verifies_the_chain(cast, login):
    page = login(cast.ada).get("/trail/?verify=1").content.decode()
    assert "intact" in page and "user_created" in page


def test_the_pages_use_only_our_own_static_files(cast, login):
    page = login(cast.ada).get("/models/").content.decode()
    assert "/static/warden.css" in page and "/static/warden.js" in page
    assert "http://" not in page and "https://" not in page


def test_logging_out_ends_the_session(cast, login):
    client = login(cast.ada)
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert client.get("/models/").status_code == 302


def test_an_unknown_version_is_a_404_page_in_the_layout(cast, login):
    response = login(cast.ada).get("/models/nope/versions/9/")
    assert response.status_code == 404
    assert b"Not found" in response.content and b"warden.css" in response.content


def test_the_trail_page_shows_each_verbs_label(cast, login):
    tiered_model_make(cast.erin, 2)
    page = login(cast.ada).get("/trail/").content.decode()
    assert "Model registered" in page

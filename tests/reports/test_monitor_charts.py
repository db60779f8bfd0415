"""The model page charts each batch monitor's history over time: drift per feature, the share
of drifted features and the fairness gap with the policy's warn and fail lines, estimated and
realised accuracy, volume, and a link to the CSV export; a gate account sees none of it."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.monitoring.batches import batch_monitor_create, monitor_batch_receive
from audits.monitoring.labels import monitor_batch_labels
from tests.audits import conftest as audits_conftest
from tests.audits import monitor_support
from tests.audits.monitor_support import (
    BATCH_MAPPING,
    SHIFTS,
    batch_frame,
    csv_file,
    labels_frame,
)
from tests.factories import user_make

pytestmark = pytest.mark.django_db
monitored = monitor_support.monitored
compas_frame = audits_conftest.compas_frame
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def history(monitored, cast, compas_frame, django_capture_on_commit_callbacks):
    """Three daily batches of rising drift, the first with its labels."""
    start = timezone.now() - dt.timedelta(days=3)
    for index, shift in enumerate(SHIFTS):
        with django_capture_on_commit_callbacks(execute=True):
            batch = monitor_batch_receive(
                actor=cast.erin,
                monitor=monitored,
                file=csv_file(batch_frame(compas_frame, index, shift), "b.csv"),
                batch_time=start + dt.timedelta(days=index),
            )
        if index == 0:
            labels = csv_file(labels_frame(compas_frame, 0), "l.csv")
            with django_capture_on_commit_callbacks(execute=True):
                monitor_batch_labels(actor=cast.erin, batch=batch, file=labels)
    return monitored


def charts_of(page: str) -> dict[str, ET.Element]:
    """Each inlined chart of the page by its title."""
    charts = {}
    for found in re.finditer(r"<svg\b.*?</svg>", page, re.DOTALL):
        svg = ET.fromstring(found.group(0))
        charts[svg.findtext(f"{SVG}title")] = svg
    return charts


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get("/models/recidivism/")
    assert response.status_code == 200
    return response.content.decode()


def charts_on_page(client, cast) -> dict[str, ET.Element]:
    return charts_of(page_of(client, cast.rita))


def line_ids(svg: ET.Element) -> list[str]:
    return [g.get("id", "").rsplit("-c", 1)[0] for g in svg.iter(f"{SVG}g")]


def test_the_share_of_drifted_features_is_drawn_with_the_policys_warn_and_fail_lines(
    history, client, cast
):
    svg = charts_on_page(client, cast)["Share of drifted features"]
    assert {"threshold-warn", "threshold-fail"} <= set(line_ids(svg))
    assert "thresholds: warn at 0.1, fail at 0.3" in svg.findtext(f"{SVG}desc")


def test_the_fairness_gap_is_drawn_with_the_policys_lines(history, client, cast):
    svg = charts_on_page(client, cast)["Demographic parity difference"]
    assert {"threshold-warn", "threshold-fail"} <= set(line_ids(svg))


def test_accuracy_is_drawn_estimated_for_every_batch_and_realised_where_labels_came(
    history, client, cast
):
    svg = charts_on_page(client, cast)["Accuracy"]
    legend = {t.text for t in svg.iter(f"{SVG}text")}
    assert {"accuracy", "accuracy (estimated)"} <= legend
    assert "2 line(s) over 3 batch(es)" in svg.findtext(f"{SVG}desc")


def test_drift_is_drawn_per_feature_and_volume_beside_it(history, client, cast):
    charts = charts_on_page(client, cast)
    legend = {t.text for t in charts["Drift per feature (PSI)"].iter(f"{SVG}text")}
    assert {"age", "priors_count", "score", "prediction"} <= legend
    assert "Volume" in charts


def test_the_page_links_the_history_csv_export(history, client, cast):
    page = page_of(client, cast.rita)
    assert f'href="/api/monitors/{history.pk}/history.csv"' in page


def test_a_gate_account_is_refused_the_page_and_sees_no_chart(history, client):
    client.force_login(user_make("gil", "gate"))
    response = client.get("/models/recidivism/")
    assert response.status_code == 403
    assert b"<svg" not in response.content


def test_a_monitor_whose_batches_get_no_estimate_says_why_on_the_page(
    monitored, cast, client, compas_frame, django_capture_on_commit_callbacks
):
    unscored = batch_monitor_create(
        actor=cast.erin,
        version=monitored.version,
        reference_set=monitored.reference_set,
        mapping={k: v for k, v in BATCH_MAPPING.items() if k != "score"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        monitor_batch_receive(
            actor=cast.erin, monitor=unscored, file=csv_file(batch_frame(compas_frame, 0), "b.csv")
        )
    page = page_of(client, cast.rita)
    assert "No estimated performance for the latest batch: the monitor&#x27;s mapping names" in page
    assert "Accuracy" not in charts_of(page)


def test_the_charts_are_drawn_once_while_the_history_is_unchanged(history, client, cast):
    first = page_of(client, cast.rita)
    with CaptureQueriesContext(connection) as queries:
        again = page_of(client, cast.rita)
    history_reads = [q["sql"] for q in queries if "batch_time" in q["sql"] and "metric" in q["sql"]]
    svgs = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
    assert svgs.findall(again) == svgs.findall(first) != []
    assert not [sql for sql in history_reads if "IN (" in sql]  # the charted metrics not re-read


def test_a_new_batch_is_drawn_at_once(history, client, cast, compas_frame,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    before = charts_on_page(client, cast)["Share of drifted features"]
    assert "over 3 batch(es)" in before.findtext(f"{SVG}desc")
    with django_capture_on_commit_callbacks(execute=True):
        monitor_batch_receive(
            actor=cast.erin, monitor=history, file=csv_file(batch_frame(compas_frame, 3), "b.csv")
        )
    after = charts_on_page(client, cast)["Share of drifted features"]
    assert "over 4 batch(es)" in after.findtext(f"{SVG}desc")

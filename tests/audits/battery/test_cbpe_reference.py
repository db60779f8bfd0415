"""A labelled reference as CBPE's input: the threshold read off its predictions, and a refusal
naming the column when it cannot calibrate CBPE."""

import pytest

from audits.battery.cbpe_reference import reference_calibration
from audits.battery.errors import BatteryInputError

COLUMNS = {"label": "two_year_recid", "score": "risk_score", "prediction": "predicted_high_risk"}


def refusal(frame, **overrides):
    with pytest.raises(BatteryInputError) as refused:
        reference_calibration(frame, **{**COLUMNS, "positive": None, **overrides})
    return refused.value.problems[0]


def test_the_threshold_is_the_lowest_score_predicted_positive(compas_frame):
    frame = compas_frame.assign(predicted_high_risk=(compas_frame["risk_score"] >= 0.8).astype(int))
    calibration = reference_calibration(frame, **COLUMNS, positive=1)
    assert calibration.threshold == 0.8


def test_predictions_that_are_not_a_cut_of_the_score_are_refused(compas_frame):
    frame = compas_frame.assign(predicted_high_risk=compas_frame["two_year_recid"])
    problem = refusal(frame)
    assert problem.column == "predicted_high_risk" and "one threshold" in problem.reason


def test_a_label_of_three_classes_is_refused(compas_frame):
    frame = compas_frame.assign(
        two_year_recid=(compas_frame["risk_score"] * 10).round().astype(int) % 3
    )
    problem = refusal(frame)
    assert problem.column == "two_year_recid" and "binary" in problem.reason


def test_labels_without_a_usual_positive_class_need_one_declared(compas_frame):
    frame = compas_frame.assign(
        two_year_recid=compas_frame["two_year_recid"].map({0: "no", 1: "re"})
    )
    assert "declare the positive label" in refusal(frame).reason
    calibration = reference_calibration(frame, **COLUMNS, positive="re")
    assert 0.6 < calibration.reference_accuracy < 0.7


def test_a_column_the_reference_lacks_is_named(compas_frame):
    assert refusal(compas_frame, score="probability").column == "probability"

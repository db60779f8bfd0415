"""Charts: valid SVG with a title, the same bytes for the same input, None when nothing to draw."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from reports import charts
from tests.reports import sample

SVG = "{http://www.w3.org/2000/svg}"
TITLES = {
    "confusion matrix": "Confusion matrix",
    "rates by group": "Rates by group for sex",
    "reliability": "Reliability diagram",
    "drift": "Feature drift",
    "robustness": "Accuracy by perturbation size",
    "feature importance": "Feature importance",
}


@pytest.fixture(scope="module")
def drawn(document: dict) -> dict[str, str | None]:
    return sample.all_charts(document)


def test_the_sample_document_follows_the_contract(document: dict, contract_schema: dict) -> None:
    jsonschema.Draft202012Validator(contract_schema).validate(document)


@pytest.mark.parametrize("name", TITLES)
def test_each_chart_is_an_svg_whose_first_child_is_its_title(drawn: dict, name: str) -> None:
    root = ET.fromstring(drawn[name])
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == TITLES[name]
    assert root[1].tag == f"{SVG}desc"
    assert root[1].text


def test_the_same_input_gives_the_same_bytes(document: dict, drawn: dict) -> None:
    assert sample.all_charts(copy.deepcopy(document)) == drawn


def test_no_date_or_xml_prolog_is_written(drawn: dict) -> None:
    for svg in drawn.values():
        assert svg.startswith("<svg ")
        assert "dc:date" not in svg


def test_titles_are_escaped() -> None:
    attribute = {"groups": {"a": {"n": 1, "selection_rate": 0.5}}}
    svg = charts.group_rates_svg(attribute, name="<b>&</b>")
    assert ET.fromstring(svg)[0].text == "Rates by group for <b>&</b>"


@pytest.mark.parametrize(
    ("chart", "data"),
    [
        (charts.confusion_matrix_svg, None),
        (charts.confusion_matrix_svg, {}),
        (
            charts.confusion_matrix_svg,
            {"confusion_matrix": {"labels": ["a", "b"], "matrix": [[1]]}},
        ),
        (charts.group_rates_svg, {"groups": {}}),
        (charts.group_rates_svg, {"groups": {"a": {"n": 0, "tpr": None, "fpr": None}}}),
        (charts.reliability_svg, {"bins": []}),
        (charts.reliability_svg, {"bins": [{"count": 0, "mean_predicted": 0.1, "observed": 0}]}),
        (charts.drift_svg, {"features": {"age": {"psi": None, "statistic": None}}}),
        (charts.drift_svg, None),
        (charts.robustness_svg, {}),
        (charts.robustness_svg, {"curve": [{"epsilon": 0.1}]}),
        (charts.feature_importance_svg, {}),
        (charts.feature_importance_svg, [{"feature": "age", "importance": float("nan")}]),
    ],
)
def test_it_returns_none_when_there_is_nothing_to_draw(chart, data) -> None:  # type: ignore[no-untyped-def]
    assert chart(data) is None


def _bars(svg: str) -> int:
    return svg.count('<g id="patch_')


def test_a_null_rate_is_left_out_not_drawn_as_zero(document: dict) -> None:
    attribute = document["checks"][1]["details"]["attributes"]["sex"]
    partial = copy.deepcopy(attribute)
    partial["groups"]["male"]["tpr"] = None
    full_svg = charts.group_rates_svg(attribute)
    partial_svg = charts.group_rates_svg(partial)
    assert _bars(full_svg) - _bars(partial_svg) == 1


def test_drifted_features_are_drawn_in_the_alert_colour() -> None:
    calm = {"features": {"age": {"psi": 0.01, "drifted": False}}}
    drifted = {"features": {"age": {"psi": 0.4, "drifted": True}}}
    assert charts.ALERT_COLOUR.lower() not in charts.drift_svg(calm).lower()
    assert charts.ALERT_COLOUR.lower() in charts.drift_svg(drifted).lower()


def test_feature_importance_keeps_the_top_features_by_size() -> None:
    importances = {f"f{i}": (-1) ** i * i for i in range(30)}
    svg = charts.feature_importance_svg(importances, top=5)
    assert "The 5 most important features." in svg
    assert charts.feature_importance_svg([{"feature": "a", "importance": 0.2}]) is not None


def test_robustness_takes_a_mapping_and_several_series() -> None:
    one = charts.robustness_svg({"by_epsilon": {"0.0": 0.9, "0.1": 0.7}})
    two = charts.robustness_svg(
        {"series": {"fgsm": [{"epsilon": 0, "accuracy": 0.9}], "pgd": {"0": 0.9, "0.1": 0.5}}}
    )
    assert "1 series" in one
    assert "2 series" in two


def test_corruption_severities_draw_on_their_own_axis() -> None:
    series = {
        "gaussian_noise": [{"severity": s, "accuracy": 1 - 0.1 * s} for s in range(1, 6)],
        "blur": [{"severity": s, "accuracy": 1 - 0.05 * s} for s in range(1, 6)],
    }
    svg = charts.robustness_svg({"series": series}, axis="severity")
    assert svg is not None and "Accuracy by corruption severity" in svg
    assert "2 series against severity." in svg
    assert charts.robustness_svg({"series": series}) is None  # no epsilon in these points


def test_a_group_without_any_number_is_left_out(drawn: dict) -> None:
    assert "for 2 groups." in drawn["rates by group"]  # "unknown" has n = 0 and only nulls


def test_labels_stay_text_a_reader_can_select(drawn: dict) -> None:
    root = ET.fromstring(drawn["confusion matrix"])
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"predicted", "true", "551"} <= texts

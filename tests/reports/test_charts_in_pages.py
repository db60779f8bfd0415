"""Charts as the pages and cards use them: drawn from the battery's own documents, and many
inlined in one page without one chart's ids reaching into another's."""

from __future__ import annotations

import re

from reports import charts
from tests.reports import sample


def test_the_battery_calibration_bins_draw_a_reliability_diagram() -> None:
    bins = [
        {"lower": 0.0, "upper": 0.1, "n": 95, "mean_confidence": 0.07, "observed_frequency": 0.08},
        {"lower": 0.1, "upper": 0.2, "n": 0, "mean_confidence": None, "observed_frequency": None},
        {"lower": 0.9, "upper": 1.0, "n": 88, "mean_confidence": 0.93, "observed_frequency": 0.9},
    ]
    svg = charts.reliability_svg({"bins": bins})
    assert svg is not None
    assert "Observed against predicted for 2 bins." in svg


def test_charts_inlined_in_one_page_share_no_id() -> None:
    drawn = [svg for svg in sample.all_charts(sample.result_document()).values() if svg]
    ids = [i for svg in drawn for i in re.findall(r'\bid="([^"]+)"', svg)]
    assert len(ids) == len(set(ids))


def test_every_reference_in_a_chart_points_into_that_chart() -> None:
    for svg in sample.all_charts(sample.result_document()).values():
        assert svg is not None
        ids = set(re.findall(r'\bid="([^"]+)"', svg))
        references = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
        assert references and references <= ids

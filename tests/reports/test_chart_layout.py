"""Charts are sized by their content and printed at that size: a chart of a few groups takes
half the card's width, so two share a row; an intersection of many groups is drawn wide enough
for its labels, and nothing scales its 8 pt text down."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.template.loader import render_to_string

from reports import charts

RATES = {"selection_rate": 0.5, "tpr": 0.6, "fpr": 0.2, "fnr": 0.4, "accuracy": 0.7}
RACES = ["White", "Black", "Other", "Asian-Pac-Islander", "Amer-Indian-Eskimo"]


def rates_svg(names: list[str], attribute: str) -> str:
    svg = charts.group_rates_svg({"groups": {name: RATES for name in names}}, attribute)
    assert svg is not None
    return svg


def drawn_width_px(svg: str) -> float:
    """The width matplotlib drew the chart at, in CSS pixels (the SVG states it in points)."""
    match = re.search(r'width="([\d.]+)pt"', svg)
    assert match is not None
    return float(match.group(1)) * 4 / 3


def printed_boxes(svgs: list[str]) -> list[Any]:
    """The laid-out box of each chart, printed as the model card prints a check's charts."""
    from weasyprint import HTML

    figures = "".join(f"<figure>{svg}<figcaption>chart</figcaption></figure>" for svg in svgs)
    page = render_to_string("reports/_print.html", {"record": "r"})
    html = page.replace("</body>", f'<div class="charts">{figures}</div></body>')
    document = HTML(string=html).render()
    return [b for b in _walk(document.pages[0]._page_box) if "Replaced" in type(b).__name__]


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


def test_an_intersection_of_many_groups_gets_half_an_inch_per_group():
    names = [f"{sex} & {race}" for sex in ("Female", "Male") for race in RACES]
    assert drawn_width_px(rates_svg(names, "sex & race")) >= len(names) * 0.5 * 96


def test_a_chart_of_two_groups_takes_half_the_cards_width():
    width = drawn_width_px(rates_svg(["Female", "Male"], "sex"))
    assert width == pytest.approx(charts.HALF_WIDTH * 96)


def test_the_card_prints_each_chart_at_its_drawn_size_two_small_ones_to_a_row():
    intersection = [f"{sex} & {race}" for sex in ("Female", "Male") for race in RACES]
    svgs = [rates_svg(["Female", "Male"], "sex"), rates_svg(RACES, "race")]
    svgs.append(rates_svg(intersection, "sex & race"))
    boxes = printed_boxes(svgs)
    assert [round(b.width) for b in boxes] == [round(drawn_width_px(svg)) for svg in svgs]
    sex, race, both = boxes
    assert sex.position_y == race.position_y < both.position_y

"""docs/mapping.md documents what the battery accepts: every mapping key, with its CLI option,
and what each registered check needs; the README links it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audits.battery.checks import CHECKS
from audits.battery.cli import parser
from audits.battery.mapping import FIELDS

REPO = Path(__file__).resolve().parents[3]
DOC = (REPO / "docs" / "mapping.md").read_text()


def table_rows(heading: str) -> dict[str, str]:
    """The first cell (a `code` name) -> the row, of the table under a heading."""
    section = DOC.split(heading, 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", section, re.M)}


@pytest.mark.parametrize("key", list(FIELDS))
def test_every_mapping_key_has_a_row_naming_its_cli_option(key):
    row = table_rows("## The keys").get(key)
    assert row is not None, key
    option = re.search(r"`(--[a-z-]+)", row)
    assert option is not None, row
    flags = {flag for action in parser()._actions for flag in action.option_strings}
    assert option.group(1) in flags


def test_the_key_table_holds_no_key_the_battery_refuses():
    assert set(table_rows("## The keys")) == set(FIELDS)


def test_every_check_says_what_a_set_must_carry():
    assert set(table_rows("## What a set must carry for each check")) == set(CHECKS)


def test_the_readme_links_the_mapping_document():
    assert "(docs/mapping.md)" in (REPO / "README.md").read_text()

"""The README's configuration table is the one the settings print: every variable Warden
reads is in it, with what it means."""

import re

from config.variables import BLOCK, SETTINGS_FILES, readme_block, variables_read
from tests.conftest import REPO_DIR


def test_the_readme_table_is_the_one_the_settings_print():
    readme = (REPO_DIR / "README.md").read_text()
    found = BLOCK.search(readme)
    assert found, "README.md has no configuration table block"
    assert found.group(0) == readme_block(), "run: .venv/bin/python -m config.variables README.md"


def test_every_variable_says_what_it_means():
    assert [variable.name for variable in variables_read() if not variable.doc] == []


def test_the_settings_read_the_environment_only_through_the_documenting_helpers():
    for name in SETTINGS_FILES:
        source = (REPO_DIR / "config" / name).read_text()
        assert not re.search(r"os\.environ|os\.getenv", source), f"config/{name}: use config.env"

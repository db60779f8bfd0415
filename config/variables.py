"""The README's configuration table, printed from the variables the settings read (each
declared with its doc beside the read, in config/env.py), so the table cannot drift.

    .venv/bin/python -m config.variables            # print the table
    .venv/bin/python -m config.variables README.md  # rewrite the table in README.md"""

import re
import runpy
import sys
from pathlib import Path

from config.env import VARIABLES, Variable, variable_declare

CONFIG_DIR = Path(__file__).resolve().parent
SETTINGS_FILES = ("settings.py", "gunicorn.py")
START, END = "<!-- configuration table: python -m config.variables README.md -->", "<!-- end -->"
BLOCK = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)


def variables_read() -> list[Variable]:
    """Every variable Warden reads, in the order it reads them: the settings and gunicorn
    modules run afresh (so a read elsewhere in this process does not count), then PORT."""
    saved = dict(VARIABLES)
    VARIABLES.clear()
    try:
        for module in SETTINGS_FILES:
            runpy.run_path(str(CONFIG_DIR / module))
        # Read by scripts/run-embedded, not by Python.
        variable_declare("PORT", 8000, "the port `make run` serves on", shown="8000")
        return list(VARIABLES.values())
    finally:
        VARIABLES.clear()
        VARIABLES.update(saved)


def variables_table() -> str:
    """The variables as the README's Markdown table."""
    rows = [f"| `{v.name}` | {v.default} | {v.doc} |" for v in variables_read()]
    return "\n".join(["| variable | default | meaning |", "| --- | --- | --- |", *rows])


def readme_block() -> str:
    return f"{START}\n{variables_table()}\n{END}"


def readme_rewrite(path: Path) -> None:
    text = path.read_text()
    if not BLOCK.search(text):
        raise SystemExit(f"{path}: no configuration table block ({START} ... {END})")
    path.write_text(BLOCK.sub(lambda _: readme_block(), text))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        readme_rewrite(Path(sys.argv[1]))
    else:
        print(variables_table())

"""The README's configuration table, printed from the variables the settings read (each
declared with its doc beside the read, in config/env.py), so the table cannot drift.

    .venv/bin/python -m config.variables            # print the table
    .venv/bin/python -m config.variables README.md  # rewrite the table in README.md"""

import importlib
import re
import sys
from pathlib import Path

from config.env import VARIABLES, variable_declare

START, END = "<!-- configuration table: python -m config.variables README.md -->", "<!-- end -->"
BLOCK = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)


def variables_table() -> str:
    """Every variable Warden reads, as a Markdown table, in the order the settings read them."""
    for module in ("config.settings", "config.gunicorn"):
        importlib.import_module(module)  # importing them declares their variables
    # Read by scripts/run-embedded, not by Python.
    variable_declare("PORT", 8000, "the port `make run` serves on", shown="8000")
    rows = [f"| `{v.name}` | {v.default} | {v.doc} |" for v in VARIABLES.values()]
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

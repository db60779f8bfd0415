"""The control catalogue: one JSON file per framework (shipped in `controls/`, more in the
directory WARDEN_CONTROLS_DIR names), each checked at load time against
contracts/controls.schema.json and the evidence kinds Warden knows, errors naming file and field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator

from audits.battery import CHECKS
from audits.battery.llm.checks import LLM_CHECKS
from governance.models import RegulatoryRegime
from reports.crosswalk.evidence import CHECK_KIND, Need
from reports.crosswalk.resolvers import known_kinds

SHIPPED_DIR = Path(__file__).resolve().parent / "controls"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "contracts" / "controls.schema.json"


class CatalogueError(ValueError):
    """A catalogue file that cannot be used: `str` names the file and the field."""


@dataclass(frozen=True)
class Control:
    id: str
    ref: str
    title: str
    summary: str
    evidence: tuple[Need, ...]


@dataclass(frozen=True)
class Framework:
    """A regulation, guidance or standard; `regimes` empty means it applies to every model."""

    id: str
    title: str
    regimes: tuple[str, ...]
    controls: tuple[Control, ...]
    source: str

    def applies_to(self, regimes: list[str]) -> bool:
        return not self.regimes or any(regime in self.regimes for regime in regimes)


def catalogue() -> tuple[Framework, ...]:
    """The shipped frameworks and the organisation's, loaded once per directory setting."""
    extra = getattr(settings, "WARDEN_CONTROLS_DIR", "")
    return _load_cached(str(extra))


@cache
def _load_cached(extra: str) -> tuple[Framework, ...]:
    return catalogue_load([SHIPPED_DIR, *([Path(extra)] if extra else [])])


def catalogue_load(directories: list[Path]) -> tuple[Framework, ...]:
    """Every `*.json` of the directories, in name order; framework and control ids unique."""
    frameworks: list[Framework] = []
    seen: dict[str, str] = {}
    for directory in directories:
        if not directory.is_dir():
            raise CatalogueError(f"{directory}: not a directory of control files")
        for path in sorted(directory.glob("*.json")):
            framework = framework_load(path)
            for key in [
                f"framework {framework.id}",
                *(f"control {c.id}" for c in framework.controls),
            ]:
                if key in seen:
                    raise CatalogueError(f"{path}: {key} is already defined in {seen[key]}")
                seen[key] = str(path)
            frameworks.append(framework)
    return tuple(frameworks)


def framework_load(path: Path) -> Framework:
    """One catalogue file, checked: the schema, then the regimes, kinds and checks it names."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogueError(f"{path}: not readable JSON: {error}") from error
    problem = next(iter(sorted(_validator().iter_errors(data), key=lambda e: e.json_path)), None)
    if problem is not None:
        raise CatalogueError(f"{path}: {problem.json_path}: {problem.message}")
    for index, regime in enumerate(data["regimes"]):
        if regime not in RegulatoryRegime.values:
            raise CatalogueError(f"{path}: $.regimes[{index}]: unknown regime {regime!r}")
    controls = tuple(_control(path, f"$.controls[{i}]", c) for i, c in enumerate(data["controls"]))
    return Framework(data["framework"], data["title"], tuple(data["regimes"]), controls, str(path))


def _control(path: Path, where: str, data: dict[str, Any]) -> Control:
    needs = []
    for index, item in enumerate(data["evidence"]):
        field = f"{where}.evidence[{index}]"
        kind, check = item["kind"], item.get("check", "")
        if kind not in known_kinds():
            raise CatalogueError(f"{path}: {field}.kind: unknown evidence kind {kind!r}")
        if (kind == CHECK_KIND) != bool(check):
            wants = (
                f"{kind} must name the audit check it rests on"
                if not check
                else f"a check is named only with {CHECK_KIND}, not {kind}"
            )
            raise CatalogueError(f"{path}: {field}.check: {wants}")
        if check and check not in CHECKS and check not in LLM_CHECKS:
            raise CatalogueError(f"{path}: {field}.check: no audit check {check!r}")
        needs.append(Need(kind, check))
    return Control(data["id"], data["ref"], data["title"], data["summary"], tuple(needs))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))

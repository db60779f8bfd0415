"""The control catalogue: the shipped files load with every framework the crosswalk promises,
an organisation's directory adds its own, and a broken file is refused naming file and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.crosswalk.catalogue import SHIPPED_DIR, CatalogueError, catalogue, catalogue_load

CONTROL = {
    "id": "acme-1",
    "ref": "ACME §1",
    "title": "Board sign-off",
    "summary": "The board signs off every tier-1 model.",
    "evidence": [{"kind": "approval_signature"}],
}


def write(folder: Path, name: str = "acme.json", **changes: object) -> Path:
    data = {"framework": "acme", "title": "ACME policy", "regimes": [], "controls": [CONTROL]}
    path = folder / name
    path.write_text(json.dumps({**data, **changes}))
    return path


def refusal(folder: Path) -> str:
    with pytest.raises(CatalogueError) as raised:
        catalogue_load([folder])
    return str(raised.value)


def test_the_shipped_catalogue_holds_the_four_frameworks() -> None:
    frameworks = {f.id: f for f in catalogue_load([SHIPPED_DIR])}
    assert set(frameworks) == {"eu_ai_act", "sr_11_7", "nist_ai_rmf", "iso_42001"}
    refs = {c.ref for c in frameworks["eu_ai_act"].controls}
    articles = {f"Art. {n}" for n in (*range(9, 16), 17, 26, 72, 73)}
    assert articles | {f"Annex IV §{n}" for n in range(1, 10)} == refs
    assert {c.ref.split()[0] for c in frameworks["nist_ai_rmf"].controls} == {
        "GOVERN",
        "MAP",
        "MEASURE",
        "MANAGE",
    }


def test_an_organisation_directory_adds_its_framework(settings, tmp_path: Path) -> None:
    write(tmp_path)
    settings.WARDEN_CONTROLS_DIR = str(tmp_path)
    assert "acme" in {f.id for f in catalogue()}


def test_a_missing_field_is_named_with_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, controls=[{k: v for k, v in CONTROL.items() if k != "summary"}])
    assert refusal(tmp_path) == f"{path}: $.controls[0]: 'summary' is a required property"


def test_an_unknown_evidence_kind_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, controls=[{**CONTROL, "evidence": [{"kind": "horoscope"}]}])
    message = refusal(tmp_path)
    assert message == f"{path}: $.controls[0].evidence[0].kind: unknown evidence kind 'horoscope'"


def test_an_audit_check_that_names_no_check_is_refused(tmp_path: Path) -> None:
    write(tmp_path, controls=[{**CONTROL, "evidence": [{"kind": "audit_check"}]}])
    assert "evidence[0].check: audit_check must name the audit check" in refusal(tmp_path)


def test_a_check_the_battery_does_not_run_is_named(tmp_path: Path) -> None:
    evidence = [{"kind": "audit_check", "check": "astrology"}]
    write(tmp_path, controls=[{**CONTROL, "evidence": evidence}])
    assert "evidence[0].check: no audit check 'astrology'" in refusal(tmp_path)


def test_an_unknown_regime_is_named(tmp_path: Path) -> None:
    write(tmp_path, regimes=["martian_law"])
    assert "$.regimes[0]: unknown regime 'martian_law'" in refusal(tmp_path)


def test_a_control_defined_twice_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.json")
    second = write(tmp_path, "b.json", framework="other")
    assert refusal(tmp_path) == f"{second}: control acme-1 is already defined in {first}"


def test_a_file_that_is_not_json_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"framework": ')
    assert refusal(tmp_path).startswith(f"{path}: not readable JSON")

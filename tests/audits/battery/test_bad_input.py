"""Each malformed input is refused with the column and the reason: by validate(), by run() with a
typed error, and by the command line with exit 2 and one line on stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from audits.battery import BatteryInputError, run, validate
from audits.battery.cli import main

REPO = Path(__file__).resolve().parents[3]
GOOD = "y,pred,score,g\n1,1,0.9,a\n0,0,0.2,b\n1,0,0.4,a\n0,1,0.7,b\n"


def case(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


BAD = {
    "missing column": (GOOD, ["--prediction", "nope"], "nope", "not found"),
    "different label sets": (
        GOOD.replace("1,1,0.9", "1,7,0.9"),
        [],
        "pred",
        "different label sets",
    ),
    "score outside [0, 1]": (GOOD.replace("0.9", "1.5"), [], "score", "outside [0, 1]"),
    "missing labels": (GOOD.replace("0,0,0.2", ",0,0.2"), [], "y", "no label"),
    "empty file": ("", [], "", "empty"),
    "header only": ("y,pred,score,g\n", [], "", "no data rows"),
    "duplicate names": (
        GOOD.replace("y,pred,score,g", "y,pred,score,y"),
        [],
        "y",
        "appears 2 times",
    ),
    "non-numeric score": (GOOD.replace("0.4", "high"), [], "score", "not numbers"),
    "label missing from the file": (GOOD.replace("y,pred", "z,pred"), [], "y", "not found"),
}


def cli_args(path: Path, extra: list[str]) -> list[str]:
    args = ["--data", str(path), "--label", "y", "--score", "score", "--sensitive", "g"]
    if "--prediction" not in extra:
        args += ["--prediction", "pred"]
    return args + extra


@pytest.mark.parametrize("name", sorted(BAD))
def test_the_cli_exits_2_with_one_line_naming_the_column(name, tmp_path, capsys):
    text, extra, column, reason = BAD[name]
    code = main(cli_args(case(tmp_path, "data.csv", text), extra))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert reason in err
    if column:
        assert f"'{column}'" in err


@pytest.mark.parametrize("name", sorted(BAD))
def test_validate_names_the_column_and_the_reason(name, tmp_path):
    text, extra, column, reason = BAD[name]
    mapping = {"label": "y", "prediction": "pred", "score": "score", "sensitive": ["g"]}
    if extra:
        mapping["prediction"] = extra[1]
    problems = validate(case(tmp_path, "data.csv", text), mapping)
    assert any(p.column == column and reason in p.reason for p in problems), problems


def probability_frame(**changes) -> pd.DataFrame:
    frame = pd.DataFrame({"y": ["a", "b", "c", "a"], "pa": [0.7, 0.1, 0.2, 0.5],
                          "pb": [0.2, 0.8, 0.2, 0.25], "pc": [0.1, 0.1, 0.6, 0.25]})  # fmt: skip
    for col, values in changes.items():
        frame[col] = values
    return frame


PROBS = {"label": "y", "probabilities": ["pa", "pb", "pc"]}


def test_probabilities_that_do_not_sum_to_one_are_refused():
    problems = validate(probability_frame(pc=[0.1, 0.1, 0.6, 0.5]), PROBS)
    assert [(p.column, "do not sum to 1" in p.reason) for p in problems] == [("pa", True)]


def test_probabilities_outside_the_unit_interval_are_refused():
    problems = validate(
        probability_frame(pb=[0.2, 0.8, 0.2, -0.25], pc=[0.1, 0.1, 0.6, 0.75]), PROBS
    )
    assert ("pb", "1 probabilities outside [0, 1]") in [(p.column, p.reason) for p in problems]


def test_run_raises_a_typed_error_with_a_one_line_message():
    with pytest.raises(BatteryInputError) as info:
        run(probability_frame(y=["a", None, "c", "a"]), PROBS)
    assert "\n" not in str(info.value)
    assert info.value.problems[0].column == "y"


def test_sound_input_has_no_problems(tmp_path):
    assert validate(case(tmp_path, "d.csv", GOOD), {"label": "y", "prediction": "pred"}) == []


def test_a_parquet_file_with_duplicate_columns_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([pa.array([0, 1]), pa.array([1, 0])], names=["y", "y"])
    pq.write_table(table, tmp_path / "d.parquet")
    problems = validate(tmp_path / "d.parquet", {"label": "y"})
    assert problems[0].column == "y" and "appears 2 times" in problems[0].reason


def test_an_unknown_tier_exits_2_without_a_traceback(tmp_path, capsys):
    assert main(cli_args(case(tmp_path, "d.csv", GOOD), ["--tier", "7"])) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_module_entry_point_never_prints_a_traceback(tmp_path):
    path = case(tmp_path, "d.csv", GOOD.replace("0.4", "high"))
    result = subprocess.run([sys.executable, "-m", "audits.battery", *cli_args(path, [])],
                            cwd=REPO, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: column 'score'")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_a_regression_task_needs_numeric_predictions():
    frame = pd.DataFrame({"y": np.linspace(0, 1, 80), "pred": ["x"] * 80})
    problems = validate(frame, {"label": "y", "prediction": "pred"}, task="regression")
    assert problems[0].column == "pred" and "numeric" in problems[0].reason


def test_too_many_text_labels_are_refused():
    frame = pd.DataFrame({"y": [f"c{i}" for i in range(600)], "pred": ["c1"] * 600})
    problems = validate(frame, {"label": "y", "prediction": "pred"})
    assert [(p.column, p.reason) for p in problems] == [
        ("y", "more than 500 distinct labels (at most 50 classes)")
    ]


def test_many_whole_number_labels_are_a_regression_task():
    frame = pd.DataFrame({"y": np.arange(3000) % 1500, "pred": np.arange(3000) % 1499})
    assert run(frame, {"label": "y", "prediction": "pred"})["task"] == "regression"

"""The intake's Arrow cell checks and typing (audits.intake_batches): the same refusals the
pandas checks gave, row numbers counted from the batch's offset, text checked through its
dictionary."""

import pandas as pd
import pyarrow as pa
import pytest

from audits.battery import BatteryInputError
from audits.intake_batches import _looks_like_formula, checked_table
from governance.spreadsheet import FORMULA_LEADERS

CELLS = ["-1.5", "+3", "-inf", "-Infinity", "-nan", "\t5", "\t", "\r5", "-1 ", "-1e5", "-1E+5",
         "-.5", "-5.", "-", "+", "=1", "-0x10", "-1,5", "- 1", "-1e", "@a", "\uff0d1", "-\u0661",
         "-1_000", "+-1", "-inf ", "-NaN", "\tinf", "\t-1 ", "+ inf", "\r\n5", "abc",
         ""]  # fmt: skip


def refusal(table: pa.Table, offset: int = 0, cell_chars: int = 100) -> list:
    with pytest.raises(BatteryInputError) as caught:
        checked_table(table, offset, cell_chars, "WARDEN_MAX_CELL_CHARS")
    return caught.value.problems


def test_it_calls_a_cell_a_formula_exactly_when_pandas_did():
    text = pd.Series(CELLS, dtype=object)
    pandas_rule = text.str.startswith(FORMULA_LEADERS) & pd.to_numeric(text, errors="coerce").isna()
    assert _looks_like_formula(pa.array(CELLS)).to_pylist() == pandas_rule.tolist()


def test_it_names_the_row_of_the_first_formula_counting_from_the_offset():
    table = pa.table({"note": ["ok", "fine", "=HYPERLINK()", "@x"]})
    (problem,) = refusal(table, offset=1000)
    assert problem.column == "note" and "row 1003 starts with '='" in problem.reason


def test_it_finds_a_formula_in_a_dictionary_encoded_column():
    table = pa.table({"note": pa.array(["a", "b", "a", "+cmd", "b"]).dictionary_encode()})
    (problem,) = refusal(table)
    assert "row 4" in problem.reason


def test_it_names_the_first_longest_cell_and_the_setting():
    table = pa.table({"note": pa.array(["short", "x" * 101, "y" * 101]).dictionary_encode()})
    (problem,) = refusal(table, offset=10)
    assert "row 12" in problem.reason and "WARDEN_MAX_CELL_CHARS" in problem.reason


def test_it_lists_long_cells_before_formulas():
    table = pa.table({"a": ["=1", "ok"], "b": ["ok", "z" * 200]})
    assert [p.column for p in refusal(table)] == ["b", "a"]


def test_numbers_are_not_scanned_and_become_float64_with_nan_as_missing():
    table = pa.table({"n": pa.array([-1, 2**60, None]), "x": [float("nan"), -2.5, 1.0]})
    typed = checked_table(table, 0, 100, "WARDEN_MAX_CELL_CHARS")
    assert typed.schema.types == [pa.float64(), pa.float64()]
    assert typed.column("x").null_count == 1 and typed.column("n").to_pylist()[1] == 2.0**60


def test_booleans_are_copied_as_the_text_pandas_gave_them():
    typed = checked_table(pa.table({"b": [True, False, None]}), 0, 100, "WARDEN_MAX_CELL_CHARS")
    assert typed.column("b").to_pylist() == ["True", "False", None]

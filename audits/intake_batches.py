"""The upload's cell checks and typing on Arrow batches (issue #21): over-long cells, cells that
start like a spreadsheet formula, and every column typed as the copy stores it (float64 or
string), each vectorised with pyarrow.compute. A dictionary-encoded column is checked through
its dictionary, so a value repeated a million times is looked at once."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from audits.battery import BatteryInputError, Problem
from governance.spreadsheet import FORMULA_LEADERS

# a cell starting with a leader is a formula unless it is a number (-1.5, +3e4, -inf), which
# pandas.to_numeric reads as one: the rule the intake kept before it read Arrow
_LEADER = "^[" + "".join(re.escape(c) for c in FORMULA_LEADERS) + "]"
# 1, -1.5, +.5, -1e5 (spaces around allowed), or an infinity (none allowed)
_NUMBER = r"(?i)^(\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*|[+-]?(inf|infinity))$"
_TEXT = (pa.types.is_string, pa.types.is_large_string)
_NUMERIC = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal)


def copy_type(kind: pa.DataType) -> pa.DataType:
    """The copy's type for a column read as ``kind``: float64 for numbers (not booleans),
    string for everything else."""
    return pa.float64() if any(test(kind) for test in _NUMERIC) else pa.string()


def checked_table(table: pa.Table, offset: int, cell_chars: int, limit_name: str) -> pa.Table:
    """The batch typed for the copy (text kept dictionary-encoded when it was), or
    BatteryInputError listing, per column, the first over-long cell and then the first
    formula-like cell; ``offset`` is the batch's first data row (row numbers start at 1)."""
    columns = {name: _as_copied(table.column(name)) for name in table.column_names}
    text = {n: c for n, c in columns.items() if not pa.types.is_floating(c.type)}
    problems = [
        p for n, c in text.items() if (p := _long_cell(n, c, offset, cell_chars, limit_name))
    ]
    problems += [p for n, c in text.items() if (p := _formula_cell(n, c, offset))]
    if problems:
        raise BatteryInputError(problems)
    return pa.table(columns)


def _as_copied(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as the copy stores it: numbers as float64 with NaN as missing, text as text
    (dictionary-encoded when read so), booleans as "True" / "False", anything else as its
    pandas string (the intake's form before it read Arrow)."""
    kind = column.type
    if pa.types.is_floating(copy_type(kind)):
        values = column.cast(pa.float64(), safe=False)
        return pc.if_else(pc.is_nan(values), pa.scalar(None, pa.float64()), values)
    if pa.types.is_dictionary(kind) and any(test(kind.value_type) for test in _TEXT):
        return column.cast(pa.dictionary(kind.index_type, pa.string()))
    if any(test(kind) for test in _TEXT):
        return column.cast(pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "True", "False")
    if pa.types.is_null(kind):
        return column.cast(pa.string())
    text = column.to_pandas().astype("string")
    return pa.chunked_array([pa.array(text, type=pa.string(), from_pandas=True)], pa.string())


def _per_row(column: pa.ChunkedArray, compute) -> pa.ChunkedArray:
    """``compute`` applied to each row's text; a dictionary column's through its dictionary."""
    pieces = []
    for piece in column.chunks:
        if pa.types.is_dictionary(piece.type):
            pieces.append(pc.take(compute(piece.dictionary), piece.indices))
        else:
            pieces.append(compute(piece))
    return (
        pa.chunked_array(pieces)
        if pieces
        else pa.chunked_array([compute(pa.array([], pa.string()))])
    )


def _long_cell(name: str, column: pa.ChunkedArray, offset: int, cell_chars: int, limit_name: str):
    """The problem of the column's first longest cell when it is over ``cell_chars``."""
    lengths = _per_row(column, pc.utf8_length)
    longest = pc.max(lengths).as_py() or 0
    if longest <= cell_chars:
        return None
    row = offset + pc.index(lengths, longest).as_py() + 1
    reason = (
        f"row {row}: a cell of {longest} characters is over the limit of {cell_chars} "
        f"({limit_name})"
    )
    return Problem(name, reason)


def is_number_text(values: pa.Array) -> pa.Array:
    """Per cell, whether pandas reads the text as a number (null for a missing cell)."""
    return pc.match_substring_regex(values, _NUMBER)


def _looks_like_formula(values: pa.Array) -> pa.Array:
    leads = pc.match_substring_regex(values, _LEADER)
    return pc.and_kleene(leads, pc.invert(is_number_text(values)))


def _formula_cell(name: str, column: pa.ChunkedArray, offset: int):
    """The problem of the column's first cell that a spreadsheet would run as a formula."""
    suspicious = pc.fill_null(_per_row(column, _looks_like_formula), False)
    if not pc.any(suspicious).as_py():
        return None
    index = pc.index(suspicious, True).as_py()
    first = column[index].as_py()
    reason = (
        f"row {offset + index + 1} starts with {first[:1]!r}, which a spreadsheet would run "
        "as a formula; remove or quote such cells"
    )
    return Problem(name, reason)

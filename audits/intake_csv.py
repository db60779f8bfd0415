"""A CSV upload read for its Parquet copy in one streaming pyarrow pass (issue #21), giving the
tables the battery's pandas reading gave (audits.battery.io: ``skipinitialspace``, pandas' NA
tokens and booleans, a column numeric when every cell of it is a number, else text).

Each column's type is taken from the first block and then held for the whole file: numbers as
float64, booleans for a target column (pandas reads those as bool), everything else as text. A
cell that does not fit further on stops the pass, and so does anything this reader may not read
as pandas does (a ragged row, bad UTF-8, a header it splits otherwise, a quoted cell behind a
space, a text column all of whose cells are numbers, a number past int64, a target mixing
text with numbers or booleans, a refused cell, no rows): it raises NeedsPandas and the caller
takes the pandas path, whose answer and errors are today's."""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from audits.battery import BatteryInputError
from audits.intake_batches import checked_table, is_number_text

# pandas.read_csv's default na_values, as its documentation lists them ("By default the
# following values are interpreted as NaN", https://pandas.pydata.org/docs/reference/api/
# pandas.read_csv.html); an empty cell is missing too
PANDAS_NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                    "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                    "nan", "null")  # fmt: skip
# the spellings pandas.read_csv reads as booleans when no true_values / false_values are given
PANDAS_TRUE = ("True", "TRUE", "true")
PANDAS_FALSE = ("False", "FALSE", "false")
BLOCK_BYTES = 1 << 22
_NUMERIC = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal)


class NeedsPandas(Exception):
    """The file is one this pass may not read as pandas does; the reason says why."""


def csv_tables(
    path: Path,
    header: list[str],
    columns: list[str],
    targets: list[str],
    *,
    na_values: list[str],
    batch_rows: int,
    cell_chars: int,
    limit_name: str,
) -> Iterator[pa.Table]:
    """The named columns of the CSV file at ``path`` (whose header the battery read as
    ``header``) in tables of ``batch_rows`` rows, typed and checked as audits.intake_batches
    does for the copy; NeedsPandas when the pandas path must decide instead."""
    nulls = [*PANDAS_NA_VALUES, *na_values]
    offset = 0
    try:  # pyarrow reads the first block on opening
        reader = _reader(path, header, columns, targets, nulls)
        text = [
            c for c, t in zip(columns, reader.schema.types, strict=True) if pa.types.is_string(t)
        ]
        kinds = _TextEvidence(path, text, pa.array(nulls), set(targets))
        for table in _rebatched(reader, columns, kinds, batch_rows):
            try:
                yield checked_table(table, offset, cell_chars, limit_name)
            except BatteryInputError as refused:  # the pandas path reports it after prepare's
                raise NeedsPandas(str(refused)) from None
            offset += table.num_rows
    except pa.ArrowInvalid as error:  # a ragged row, bad UTF-8, a cell of another type
        raise NeedsPandas(str(error)) from None
    if offset == 0:
        raise NeedsPandas("no data rows")
    kinds.check_all_settled()


def _reader(
    path: Path, header: list[str], columns: list[str], targets: list[str], nulls: list[str]
) -> pa_csv.CSVStreamingReader:
    """The streaming reader of the named columns, each typed from the first block."""
    read = pa_csv.ReadOptions(block_size=BLOCK_BYTES)
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    convert = {"null_values": nulls, "strings_can_be_null": True, "true_values": PANDAS_TRUE,
               "false_values": PANDAS_FALSE}  # fmt: skip
    probe = pa_csv.open_csv(path, read, parse, pa_csv.ConvertOptions(**convert))
    inferred = probe.schema
    probe.close()
    raw = inferred.names
    if [name.lstrip(" ") for name in raw] != header:
        raise NeedsPandas("pyarrow splits the header otherwise")
    named = dict(zip(header, raw, strict=True))
    types = {named[c]: _pass_type(inferred.field(named[c]).type, c in targets) for c in columns}
    convert = {**convert, "include_columns": [named[c] for c in columns], "column_types": types}
    return pa_csv.open_csv(path, read, parse, pa_csv.ConvertOptions(**convert))


def _pass_type(inferred: pa.DataType, target: bool) -> pa.DataType:
    """The type a column is read as for the whole pass, from its type in the first block."""
    if any(test(inferred) for test in _NUMERIC):
        return pa.float64()  # an int column with a decimal further on stays readable
    if pa.types.is_null(inferred) or (target and pa.types.is_boolean(inferred)):
        return inferred  # all missing so far (numeric to pandas), or a target's booleans
    return pa.string()


def _rebatched(
    reader: pa_csv.CSVStreamingReader, columns: list[str], kinds: _TextEvidence, rows: int
) -> Iterator[pa.Table]:
    """The reader's blocks as pandas read them, regrouped into tables of ``rows`` rows (the
    copy's row groups) and a last shorter one."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in reader:
        pending.append(_as_pandas_read(batch, columns, kinds))
        held += batch.num_rows
        while held >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            pending, held = table.slice(rows).to_batches(), held - rows
    if held:
        yield pa.Table.from_batches(pending)


def _as_pandas_read(
    batch: pa.RecordBatch, columns: list[str], kinds: _TextEvidence
) -> pa.RecordBatch:
    """One block with the header's names, missing-only columns as float64 NaN, and text cells
    with their leading spaces skipped and pandas' NA tokens applied after that."""
    arrays = []
    for name, array in zip(columns, batch.columns, strict=True):
        if pa.types.is_null(array.type):
            array = pa.nulls(len(array), pa.float64())
        elif pa.types.is_string(array.type):
            array = kinds.seen(name, array)
        elif pa.types.is_floating(array.type) and _past_int64(array):
            raise NeedsPandas(f"{name}: pandas reads an integer past int64 as text")
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=columns)


def _past_int64(values: pa.Array) -> bool:
    """Whether a finite number is past the int64 range: pandas may read the column as text
    (an integer beyond uint64 makes it object), so only pandas can say."""
    extremes = pc.min_max(values)
    low, high = extremes["min"].as_py(), extremes["max"].as_py()
    if low is None or -(2.0**63) < low <= high < 2.0**63:
        return False  # the usual case, in one pass
    big = pc.greater_equal(pc.abs(values), 2.0**63)
    return bool(pc.any(pc.and_(big, pc.is_finite(values))).as_py())


# A whole number that may be past int64 (19 digits or more): in a column that holds one past
# uint64, pandas keeps every cell as its text and applies no NA token, which only pandas can
# reproduce; so such a text column takes the pandas path.
LONG_WHOLE_NUMBER = r"^ *[+-]?[0-9]{19,} *$"


class _TextEvidence:
    """Per text column, whether a cell that is not a number has been seen (what makes pandas
    read it as text); and the skipping of leading spaces, which is exact only when the file
    quotes nothing (pandas keeps the spaces inside quotes, which this reader cannot see)."""

    def __init__(self, path: Path, text: list[str], nulls: pa.Array, targets: set[str]) -> None:
        self.path = path
        self.unsettled = set(text)
        self.nulls = nulls
        self.targets = targets
        self.quotes: bool | None = None

    def seen(self, name: str, array: pa.Array) -> pa.Array:
        """The column's cells as pandas read them, noting whether one is not a number."""
        if pc.any(pc.match_substring_regex(array, LONG_WHOLE_NUMBER)).as_py():
            raise NeedsPandas(f"{name}: a whole number of 19 digits or more (past int64?)")
        if pc.any(pc.starts_with(array, " ")).as_py():
            if self._file_quotes():
                raise NeedsPandas(f"{name}: a cell starts with a space in a file that quotes")
            array = pc.utf8_ltrim(array, characters=" ")
            array = pc.if_else(pc.is_in(array, self.nulls), pa.scalar(None, pa.string()), array)
        if name in self.targets and pc.any(_number_or_boolean(array)).as_py():
            raise NeedsPandas(f"{name}: a target mixing text with numbers or booleans")
        if name in self.unsettled and pc.any(pc.invert(is_number_text(array))).as_py():
            self.unsettled.discard(name)
        return array

    def check_all_settled(self) -> None:
        """NeedsPandas when a text column held only numbers: pandas would read it as numeric."""
        if self.unsettled:
            raise NeedsPandas(f"{sorted(self.unsettled)}: read as text, but every cell is a number")

    def _file_quotes(self) -> bool:
        if self.quotes is None:
            with (
                self.path.open("rb") as handle,
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view,
            ):
                self.quotes = view.find(b'"') >= 0
        return self.quotes


def _number_or_boolean(array: pa.Array) -> pa.Array:
    """Per cell of a text column, whether it is a number or a boolean spelling: in a target
    column beside text, pandas keeps such a column as Python objects (True equal to 1), whose
    label sets only pandas can reproduce."""
    booleans = pc.is_in(array, pa.array([*PANDAS_TRUE, *PANDAS_FALSE]))
    return pc.or_kleene(is_number_text(array), booleans)

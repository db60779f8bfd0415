"""Taking in an evaluation set: checking the file and its mapping with the battery's own
validator, refusing what is unsafe, and writing the Parquet copy audits read.

Nothing here touches the database; the service stores what `intake` returns."""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from audits.battery import BatteryInputError, Problem, RunSpec, prepare
from audits.battery import io as battery_io
from audits.battery.mapping import columns_to_read
from governance.errors import is_disk_full

# A text cell a spreadsheet would run as a formula (OWASP "CSV injection").
FORMULA_START = re.compile(r"^[=+\-@\t\r].")
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class Intake:
    """What an accepted upload is: its format, normalised mapping, rows and columns."""

    format: str
    mapping: dict
    rows: int
    columns: list[str]


def upload_format(filename: str) -> str:
    """'csv' or 'parquet' from the file name, or BatteryInputError naming what is accepted."""
    found = FORMATS.get(Path(filename).suffix.lower())
    if not found:
        raise BatteryInputError(f"{filename}: upload a .csv or .parquet file")
    return found


def parquet_expansion_check(path: Path, limit: int) -> None:
    """Refuse a Parquet file whose pages would expand past `limit` bytes, before reading any.
    A column chunk expands to at least its uncompressed size and at least 8 bytes a row (run
    length and dictionary encodings make tiny pages of millions of equal values)."""
    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as error:  # pyarrow raises several types for corrupt files
        raise BatteryInputError(f"not a readable Parquet file: {error}") from None
    expanded = 0
    for group_index in range(meta.num_row_groups):
        group = meta.row_group(group_index)
        for column_index in range(group.num_columns):
            column = group.column(column_index)
            expanded += max(column.total_uncompressed_size, group.num_rows * 8)
    if expanded > limit:
        raise BatteryInputError(
            f"the Parquet pages expand to {expanded} bytes, over the limit of {limit}"
        )


def formula_cells(frame: pd.DataFrame, offset: int) -> list[Problem]:
    """One problem per text column holding a cell that starts like a spreadsheet formula."""
    problems = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series.dtype):
            continue
        text = series.dropna().astype(str)
        looks_like_formula = (
            text.str.match(FORMULA_START) & pd.to_numeric(text, errors="coerce").isna()
        )
        suspicious = text[looks_like_formula]
        if len(suspicious):
            row = offset + int(suspicious.index[0]) + 1
            reason = (
                f"row {row} starts with {suspicious.iloc[0][:1]!r}, which a spreadsheet would "
                "run as a formula; remove or quote such cells"
            )
            problems.append(Problem(str(column), reason))
    return problems


def intake(
    original: Path, mapping: dict, parquet_out: Path, *, expansion_limit: int, row_group_rows: int
) -> Intake:
    """Validate the upload and write its Parquet copy (only the mapped columns, typed once).
    Raises BatteryInputError listing every problem; writes nothing in that case."""
    file_format = upload_format(original.name)
    if original.stat().st_size == 0:
        raise BatteryInputError("the file is empty")
    if file_format == "parquet":
        parquet_expansion_check(original, expansion_limit)
    try:
        spec = prepare(original, mapping)
        columns = columns_to_read(spec.mapping)
        source = spec.source_of("current")
        _copy_to_parquet(source, columns, spec, parquet_out, row_group_rows)
    except BatteryInputError:
        parquet_out.unlink(missing_ok=True)
        raise
    except (OSError, ValueError, pa.ArrowException) as error:  # damaged pages, bad encodings
        parquet_out.unlink(missing_ok=True)
        if is_disk_full(error):
            raise  # the server's fault, not the file's
        raise BatteryInputError(f"the file could not be read: {error}") from None
    return Intake(file_format, spec.mapping, spec.rows, columns)


def _copy_to_parquet(
    source: battery_io.Source, columns: list[str], spec: RunSpec, out: Path, row_group_rows: int
) -> None:
    """Write the mapped columns, typed once, in row groups of `row_group_rows`: the unit that
    audit chunks (and so parallel workers) split the set by."""
    schema: pa.Schema | None = None
    writer: pq.ParquetWriter | None = None
    problems: list[Problem] = []
    try:
        for start, stop in spec.chunks:
            frame = battery_io.read_chunk(source, columns, start, stop, spec.kinds)
            problems += formula_cells(frame, start)
            if problems:
                raise BatteryInputError(problems)
            if schema is None:
                schema = pa.schema([_arrow_field(name, frame[name]) for name in columns])
                writer = pq.ParquetWriter(out, schema, compression="zstd")
            assert writer is not None
            writer.write_table(_typed_table(frame, schema), row_group_size=row_group_rows)
    finally:
        if writer is not None:
            writer.close()


def _arrow_field(name: str, series: pd.Series) -> pa.Field:
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series)
    return pa.field(name, pa.float64() if numeric else pa.string())


def _typed_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    arrays = []
    for field in schema:
        series = frame[field.name]
        if pa.types.is_floating(field.type):
            values = pd.to_numeric(series, errors="coerce")
            if values.isna().sum() > series.isna().sum():
                raise BatteryInputError(Problem(field.name, "mixes numbers and text"))
            arrays.append(
                pa.array(values.to_numpy(np.float64), type=pa.float64(), from_pandas=True)
            )
        else:
            text = series.astype("string")
            arrays.append(pa.array(text, type=pa.string(), from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)

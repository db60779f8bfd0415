"""Taking in an evaluation set: checking the file and its mapping with the battery's own
validator, refusing what is unsafe, and writing the Parquet copy audits read (a CSV's in one
pyarrow pass when it can: audits.intake_csv). An image / tensor set (a ZIP or NPZ with
manifest.csv) is read where it is, so it gets no copy: the battery opens it under the archive
limits, reads its manifest and finds every member the manifest names. A transcripts file (JSONL,
audits.transcript_sets) is read where it is too.

Nothing here touches the database; the service stores what `intake` returns."""

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audits.battery import BatteryInputError, Problem, RunSpec, prepare
from audits.battery import io as battery_io
from audits.battery.io import duplicate_columns
from audits.battery.mapping import columns_to_read, normalize, resolve, target_columns
from audits.intake_batches import checked_table
from audits.intake_csv import NeedsPandas, csv_tables
from audits.transcript_sets import TRANSCRIPTS_FORMAT, TRANSCRIPTS_MAPPING, transcripts_intake
from governance.errors import is_disk_full

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".zip": "zip", ".npz": "npz",
           ".jsonl": TRANSCRIPTS_FORMAT}  # fmt: skip
ARCHIVE_FORMATS = ("zip", "npz")
READ_AS_UPLOADED = (*ARCHIVE_FORMATS, TRANSCRIPTS_FORMAT)
TEXT_TYPES = (
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_binary,
    pa.types.is_large_binary,
)
CELL_CHARS_SETTING = "WARDEN_MAX_CELL_CHARS"
# the service hashes the stored file itself; a second hash here would only compete for the disk
NOT_HASHED_HERE = "not hashed at intake"
# zstd for size; dictionary pages only for text (on unique floats the writer builds a
# dictionary and throws it away, four times the cost of the write); no Arrow schema kept, so a
# dictionary-encoded column reads back as the plain string column audits expect
COPY_OPTIONS = {"compression": "zstd", "store_schema": False}


@dataclass(frozen=True)
class IntakeLimits:
    """How much an upload may hold once read: decoded bytes (Parquet), columns, characters in
    one cell or column name, an archive's caps (the battery's TensorLimits as JSON) and a
    transcripts file's size. Each refusal names the setting it comes from."""

    expanded_bytes: int
    columns: int
    cell_chars: int
    archive: dict
    transcript_bytes: int


@dataclass(frozen=True)
class Intake:
    """What an accepted upload is: its format, normalised mapping, rows and columns."""

    format: str
    mapping: dict
    rows: int
    columns: list[str]

    @property
    def copied(self) -> bool:
        """Whether audits read the Parquet copy (a table) rather than the original (an
        archive, a transcripts file)."""
        return self.format not in READ_AS_UPLOADED


def upload_format(filename: str) -> str:
    """The format from the file name, or BatteryInputError naming what is accepted."""
    found = FORMATS.get(Path(filename).suffix.lower())
    if not found:
        raise BatteryInputError(
            f"{filename}: upload a .csv or .parquet file, a .zip / .npz of images or arrays "
            "with manifest.csv at its root, or a .jsonl file of LLM transcripts"
        )
    return found


def parquet_expansion_check(path: Path, limits: IntakeLimits) -> None:
    """Refuse a Parquet file that decodes past `limits.expanded_bytes`, or holds a cell longer
    than `limits.cell_chars`, before pandas sees a row. Text is counted exactly: each row's
    string length, read through the dictionary when the column is dictionary-encoded (so a
    few long dictionary entries repeated a million times count a million times, and are never
    materialised); every other column counts its uncompressed pages and at least 8 bytes a row."""
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for corrupt files
        raise BatteryInputError(f"not a readable Parquet file: {error}") from None
    meta, schema = parquet.metadata, parquet.schema
    if len(parquet.schema_arrow.names) > limits.columns:
        raise BatteryInputError(_too_many_columns(len(parquet.schema_arrow.names), limits))
    arrow = parquet.schema_arrow
    leaves = [schema.column(i) for i in range(len(schema))]
    text = [c.path for c in leaves if c.physical_type == "BYTE_ARRAY" and _is_text(arrow, c.path)]
    encoded = pq.ParquetFile(path, read_dictionary=text)
    expanded = 0
    for group_index in range(meta.num_row_groups):
        group = meta.row_group(group_index)
        for column_index in range(group.num_columns):
            column = group.column(column_index)
            if column.path_in_schema not in text:
                expanded += max(column.total_uncompressed_size, group.num_rows * 8)
        for name in text:
            lengths = _text_lengths(encoded.read_row_group(group_index, columns=[name]).column(0))
            longest = pc.max(lengths).as_py() or 0
            if longest > limits.cell_chars:
                raise BatteryInputError(Problem(name, _too_long(longest, limits)))
            expanded += (pc.sum(lengths).as_py() or 0) + group.num_rows * 8
        if expanded > limits.expanded_bytes:
            raise BatteryInputError(
                f"the Parquet file decodes to at least {expanded} bytes, over the limit of "
                f"{limits.expanded_bytes} (WARDEN_MAX_PARQUET_EXPANDED_BYTES)"
            )


def _is_text(arrow: pa.Schema, name: str) -> bool:
    """Whether a top-level column holds strings or bytes (dictionary-encoded or not); a
    duplicated name is left to the header check, which refuses it."""
    index = arrow.get_field_index(name)
    if index < 0:
        return False
    kind = arrow.field(index).type
    kind = kind.value_type if pa.types.is_dictionary(kind) else kind
    return any(
        test(kind)
        for test in (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary,
                     pa.types.is_large_binary)
    )  # fmt: skip


def _text_lengths(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Each row's length in bytes; a dictionary column's through its indices, never decoded."""
    pieces = []
    for piece in column.chunks:
        if pa.types.is_dictionary(piece.type):
            lengths = pc.take(pc.binary_length(piece.dictionary), piece.indices)
        else:
            lengths = pc.binary_length(piece)
        pieces.append(lengths.cast(pa.int64()))
    return pa.chunked_array(pieces, type=pa.int64())


def header_check(columns: list[str], limits: IntakeLimits) -> None:
    """Refuse a header with more columns than `limits.columns` or an over-long column name."""
    if len(columns) > limits.columns:
        raise BatteryInputError(_too_many_columns(len(columns), limits))
    for name in columns:
        if len(name) > limits.cell_chars:
            raise BatteryInputError(
                Problem(name[:40], "column name: " + _too_long(len(name), limits))
            )


def _too_many_columns(found: int, limits: IntakeLimits) -> Problem:
    return Problem(
        "",
        f"the file has {found} columns, over the limit of {limits.columns} (WARDEN_MAX_COLUMNS)",
    )


def _too_long(found: int, limits: IntakeLimits) -> str:
    return (
        f"a cell of {found} characters is over the limit of {limits.cell_chars} "
        f"({CELL_CHARS_SETTING})"
    )


def intake(
    original: Path, mapping: dict, parquet_out: Path, *, limits: IntakeLimits, row_group_rows: int
) -> Intake:
    """Validate the upload and write its Parquet copy (only the mapped columns, typed once; an
    archive's cells are checked alike, and nothing is written). Raises BatteryInputError
    listing every problem; writes nothing in that case."""
    file_format = upload_format(original.name)
    if original.stat().st_size == 0:
        raise BatteryInputError("the file is empty")
    if file_format == TRANSCRIPTS_FORMAT:
        records = transcripts_intake(
            original, mapping, max_bytes=limits.transcript_bytes, line_chars=limits.cell_chars
        )
        return Intake(file_format, dict(TRANSCRIPTS_MAPPING), len(records), [])
    archive = file_format in ARCHIVE_FORMATS
    try:
        if file_format == "parquet":
            parquet_expansion_check(original, limits)
        if archive:
            spec = prepare(original, mapping, options={"archive_limits": limits.archive})
            header_check(spec.source_of("current").columns, limits)
            for _ in _checked_tables(spec, limits, row_group_rows):
                pass
        else:
            source = battery_io.open_source(original)
            header_check(source.columns, limits)
            streamed = file_format == "csv" and _streamed_csv(
                original, source, mapping, parquet_out, row_group_rows, limits
            )
            spec = streamed or prepared_copy(original, mapping, parquet_out, limits, row_group_rows)
    except BatteryInputError:
        parquet_out.unlink(missing_ok=True)
        raise
    except (OSError, ValueError, pa.ArrowException) as error:  # damaged pages, bad encodings
        parquet_out.unlink(missing_ok=True)
        if is_disk_full(error):
            raise  # the server's fault, not the file's
        raise BatteryInputError(f"the file could not be read: {error}") from None
    return Intake(file_format, spec.mapping, spec.rows, columns_to_read(spec.mapping))


def prepared_copy(
    original: Path, mapping: dict, out: Path, limits: IntakeLimits, row_group_rows: int
) -> RunSpec:
    """The run spec prepared from the upload, then the copy read through the battery (a CSV
    profiled whole by pandas, then read again in chunks): Parquet's way, and a CSV's when the
    streamed pass steps back."""
    spec = prepare(original, mapping, data_sha256=NOT_HASHED_HERE)
    _write_copy(_checked_tables(spec, limits, row_group_rows), out, row_group_rows)
    return spec


def _streamed_csv(
    original: Path,
    source: battery_io.Source,
    raw_mapping: dict,
    out: Path,
    row_group_rows: int,
    limits: IntakeLimits,
) -> RunSpec | None:
    """The CSV's copy written in one pyarrow pass (audits.intake_csv) and the run spec
    prepared from that copy (its target columns only, and each column's kind from its types);
    None, with nothing written, when the file needs the pandas path or its mapping does not fit
    its header (the pandas path then names every problem, as before)."""
    m, problems = resolve(normalize(raw_mapping), source.columns)
    if problems or duplicate_columns(source):
        return None
    columns = columns_to_read(m)
    tables = csv_tables(
        original, source.columns, columns, target_columns(m), na_values=source.na_values,
        batch_rows=row_group_rows, cell_chars=limits.cell_chars, limit_name=CELL_CHARS_SETTING,
    )  # fmt: skip
    try:
        _write_copy(tables, out, row_group_rows)
    except NeedsPandas:
        out.unlink(missing_ok=True)
        return None
    return prepare(out, m, data_sha256=NOT_HASHED_HERE)


def _write_copy(tables: Iterator[pa.Table], out: Path, row_group_rows: int) -> None:
    """Write the checked tables in row groups of `row_group_rows` (the unit that audit chunks,
    and so parallel workers, split the set by), in one pass: reading the next batch and writing
    the last overlap the checks of this one (pyarrow frees the GIL)."""
    writer: pq.ParquetWriter | None = None
    with ThreadPoolExecutor(1) as pool:
        written: Future | None = None
        try:
            for table in tables:
                if writer is None:
                    text = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
                    writer = pq.ParquetWriter(
                        out, table.schema, use_dictionary=text, **COPY_OPTIONS
                    )
                if written is not None:
                    written.result()
                written = pool.submit(writer.write_table, table, row_group_size=row_group_rows)
            if written is not None:
                written.result()
        finally:
            if written is not None:
                written.exception()  # the write in flight ends before the file closes
            if writer is not None:
                writer.close()


def _checked_tables(spec: RunSpec, limits: IntakeLimits, batch_rows: int) -> Iterator[pa.Table]:
    """The mapped columns batch by batch, typed for the copy, each refused (BatteryInputError)
    when a cell is over long or starts like a spreadsheet formula."""
    source, columns = spec.source_of("current"), columns_to_read(spec.mapping)
    offset = 0
    for table in _arrow_batches(source, columns, spec, batch_rows):
        yield checked_table(table, offset, limits.cell_chars, CELL_CHARS_SETTING)
        offset += table.num_rows


def _arrow_batches(
    source: battery_io.Source, columns: list[str], spec: RunSpec, batch_rows: int
) -> Iterator[pa.Table]:
    """Parquet as record batches (text dictionary-encoded, the next batch read in a thread while
    this one is checked); CSV and an archive's manifest as the battery's pandas chunks."""
    if source.format != "parquet":
        for start, stop in spec.chunks:
            frame = battery_io.read_chunk(source, columns, start, stop, spec.kinds)
            yield _frame_table(frame, start)
        return
    parquet = pq.ParquetFile(source.file(), read_dictionary=_text_leaves(source.file(), columns))
    batches = parquet.iter_batches(batch_size=batch_rows, columns=columns, use_threads=False)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(next, batches, None)
        while (batch := pending.result()) is not None:
            pending = pool.submit(next, batches, None)
            yield pa.Table.from_batches([batch])


def _frame_table(frame: pd.DataFrame, offset: int) -> pa.Table:
    """The chunk as an Arrow table; a whole number past 64 bits (pandas keeps it as a Python
    int when its column has nothing else to make it a float) refused naming its column and
    row, since no Parquet column type holds it."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except OverflowError:
        for name in frame.columns:
            for row, value in enumerate(frame[name], start=offset + 1):
                if isinstance(value, int) and not -(2**63) <= value < 2**64:
                    raise BatteryInputError(
                        Problem(
                            str(name),
                            f"row {row}: {value} is a whole number past the 64-bit range; "
                            "write it as a decimal (such as 1e20) or leave the column out",
                        )
                    ) from None
        raise


def _text_leaves(path: str, columns: list[str]) -> list[str]:
    """The mapped columns holding strings, read dictionary-encoded: the checks then look at
    each distinct value once and the writer keeps the dictionary."""
    arrow = pq.read_schema(path)
    return [c for c in columns if _is_text(arrow, c)]

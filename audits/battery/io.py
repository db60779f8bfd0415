"""Reading evaluation sets: CSV (pandas), Parquet (pyarrow) or an image / tensor archive (a ZIP
whose ``manifest.csv`` is the table, read as a CSV: tensors/archive.py), whole or as row-range
chunks.

A chunk is a half-open row range ``[start, stop)``. Parquet chunks follow row groups (a chunk is
one or more whole row groups, so reading one decodes nothing twice and memory is bounded by the
largest row group); CSV chunks are fixed-size ranges of data rows. Header-less CSV files
(``header=False``) get the column names "0", "1", ... ; CSV fields are read with
``skipinitialspace=True`` so files separated by ", " (UCI Adult) parse cleanly.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from digests import file_sha256

from .errors import BatteryInputError, Problem
from .location import existing, located
from .tensors.archive import MANIFEST, TensorArchive, TensorLimits, is_archive

DEFAULT_CHUNK_ROWS = 262_144
T = TypeVar("T")


@dataclass
class Source:
    """One data set: where it is, its format, its header (duplicates kept) and reading options."""

    path: str | None
    format: str  # "csv" | "parquet" | "archive" | "frame"
    columns: list[str]
    header: bool = True
    na_values: list[str] = field(default_factory=list)
    rows: int | None = None
    frame: pd.DataFrame | None = None
    limits: dict | None = None  # an archive's TensorLimits (JSON)

    @property
    def textual(self) -> bool:
        """Whether the table is CSV text (a CSV file, or an archive's manifest): its rows are
        counted and its kinds inferred by the profiling pass."""
        return self.format in ("csv", "archive")

    def archive(self) -> TensorArchive:
        """The opened image / tensor archive of an "archive" source."""
        if self.format != "archive":
            raise ValueError(f"a {self.format} source is not an archive")
        return TensorArchive(self.file(), TensorLimits.from_json(self.limits))

    def to_dict(self) -> dict:
        """JSON form (a DataFrame source cannot cross processes and is refused)."""
        if self.format == "frame":
            raise BatteryInputError("an in-memory DataFrame cannot be sent to another process")
        return {
            k: getattr(self, k)
            for k in ("path", "format", "columns", "header", "na_values", "rows", "limits")
        }

    @classmethod
    def from_dict(cls, data: dict) -> Source:
        return cls(**data)

    def file(self) -> str:
        """The file's path; a DataFrame source has none."""
        if self.path is None:
            raise ValueError("an in-memory DataFrame has no file")
        return self.path

    def in_memory(self) -> pd.DataFrame:
        """The DataFrame of a "frame" source; a file source has none."""
        if self.frame is None:
            raise ValueError("a file source holds no DataFrame")
        return self.frame


def open_source(
    data, *, header: bool = True, na_values: list[str] | None = None, limits: dict | None = None
) -> Source:
    """Open a path (CSV, Parquet or an archive, by suffix or magic bytes) or a DataFrame; read
    its header. An archive is checked against ``limits`` (TensorLimits as JSON)."""
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        frame = data.copy(deep=False)
        frame.columns = names
        return Source(None, "frame", names, rows=len(frame), frame=frame)
    location = existing(data)
    magic = location.head(4)
    if magic == b"PAR1" or location.suffix in (".parquet", ".pq"):
        try:
            meta = location.parquet().metadata
        except Exception as exc:
            raise BatteryInputError(
                f"{location.name} is not a readable Parquet file: {exc}"
            ) from None
        names = list(meta.schema.to_arrow_schema().names)
        return Source(location.uri, "parquet", names, rows=meta.num_rows)
    if is_archive(Path(location.name), magic):
        return _open_archive(location.uri, list(na_values or []), limits)
    try:
        head = pd.read_csv(
            location.readable(), nrows=0, header=0 if header else None, skipinitialspace=True
        )
        first = pd.read_csv(location.readable(), nrows=1, header=None, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise BatteryInputError(f"the file {location.name} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BatteryInputError(f"{location.name} is not a readable CSV file: {exc}") from None
    if header:
        names = [str(v) for v in first.iloc[0].tolist()] if len(first) else list(map(str, head))
        names = ["" if n == "nan" else n for n in names]
    else:
        names = [str(i) for i in range(first.shape[1])]
    return Source(location.uri, "csv", names, header=header, na_values=list(na_values or []))


def _open_archive(path: str, na_values: list[str], limits: dict | None) -> Source:
    archive = TensorArchive(path, TensorLimits.from_json(limits))
    try:
        names = [str(c) for c in pd.read_csv(io.BytesIO(archive.read(MANIFEST)), nrows=0).columns]
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split()) or "it is empty"
        raise BatteryInputError(
            Problem(MANIFEST, f"is not a readable CSV file: {reason}")
        ) from None
    return Source(path, "archive", names, na_values=na_values, limits=limits)


def duplicate_columns(source: Source) -> list[Problem]:
    """One problem per column name the header holds more than once."""
    counts: dict[str, int] = {}
    for name in source.columns:
        counts[name] = counts.get(name, 0) + 1
    return [
        Problem(name, f"appears {n} times in the header; column names must be unique")
        for name, n in counts.items()
        if n > 1
    ]


def plan_chunks(source: Source, rows_per_chunk: int = DEFAULT_CHUNK_ROWS) -> list[list[int]]:
    """Row ranges ``[start, stop]`` covering the set; Parquet ranges are whole row groups."""
    if source.format == "parquet":
        meta = located(source.file()).parquet().metadata
        chunks, start, stop = [], 0, 0
        for i in range(meta.num_row_groups):
            n = meta.row_group(i).num_rows
            if stop > start and stop - start + n > rows_per_chunk:
                chunks.append([start, stop])
                start = stop
            stop += n
        if stop > start:
            chunks.append([start, stop])
        return chunks
    if source.rows is None:
        raise ValueError("count the CSV rows (validation pass) before planning its chunks")
    return [
        [s, min(s + rows_per_chunk, source.rows)] for s in range(0, source.rows, rows_per_chunk)
    ]


def read_chunk(
    source: Source, columns: list[str], start: int, stop: int, dtypes=None
) -> pd.DataFrame:
    """The rows ``[start, stop)`` of the named columns (CSV kinds forced by ``dtypes``)."""
    if source.format == "frame":
        return source.in_memory().iloc[start:stop][columns].reset_index(drop=True)
    if source.format == "parquet":
        location = located(source.file())
        footer = location.parquet()  # read once: its schema names the text columns
        text = _text_columns(footer, columns)
        pf = location.parquet(metadata=footer.metadata, read_dictionary=text)
        meta = pf.metadata
        groups: list[int] = []
        offset, first = 0, -1  # first: the row the first group read starts at
        for i in range(meta.num_row_groups):
            n = meta.row_group(i).num_rows
            if offset < stop and offset + n > start:
                groups.append(i)
                first = offset if first < 0 else first
            offset += n
        if not groups:
            return pd.DataFrame({c: [] for c in columns})
        table = pf.read_row_groups(groups, columns=columns)
        table = table.slice(start - first, stop - start)
        return table.to_pandas(self_destruct=True, split_blocks=True)
    return next(_csv_reader(source, columns, dtypes, start, stop - start, stop - start))


def _text_columns(parquet: pq.ParquetFile, columns: list[str]) -> list[str]:
    """Text columns, read dictionary-encoded: pandas then gets categories, not millions of str."""
    schema = parquet.schema_arrow
    text = (pa.types.is_string, pa.types.is_large_string)
    return [c for c in columns if any(test(schema.field(c).type) for test in text)]


def iter_chunks(source: Source, columns: list[str], chunks, dtypes=None) -> Iterator[pd.DataFrame]:
    """The planned chunks in order, each read in a thread while the one before is used."""
    return ahead(read_chunks(source, columns, chunks, dtypes))


def read_chunks(source: Source, columns: list[str], chunks, dtypes=None) -> Iterator[pd.DataFrame]:
    """The planned chunks in order, each read when it is asked for; CSV streams through once
    instead of re-skipping rows."""
    if not chunks:
        return
    if not source.textual:
        for start, stop in chunks:
            yield read_chunk(source, columns, start, stop, dtypes)
        return
    size = chunks[0][1] - chunks[0][0]
    yield from _csv_reader(source, columns, dtypes, chunks[0][0], None, size)


_END: Any = object()


def ahead(items: Iterable[T]) -> Iterator[T]:
    """The items in order, the next one taken in a thread while this one is used: reading a
    chunk overlaps the computation on the one before (pyarrow decodes without the GIL)."""
    iterator = iter(items)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(next, iterator, _END)
        while (item := pending.result()) is not _END:
            pending = pool.submit(next, iterator, _END)
            yield item


def _csv_reader(source, columns, dtypes, skip, nrows, chunksize):
    positions = {name: i for i, name in enumerate(source.columns)}
    try:
        yield from _csv_frames(source, columns, dtypes, skip, nrows, chunksize, positions)
    except pd.errors.EmptyDataError:
        return
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise BatteryInputError(
            f"{located(source.file()).name} cannot be parsed as CSV: {reason}"
        ) from None


def _csv_frames(source, columns, dtypes, skip, nrows, chunksize, positions):
    usecols = sorted({positions[c] for c in columns})
    skiprows = range(0, skip + (1 if source.header else 0))
    text: Any = (
        io.BytesIO(source.archive().read(MANIFEST))
        if source.format == "archive"
        else located(source.file()).readable()
    )
    reader = pd.read_csv(
        text,
        header=None,
        skiprows=skiprows,
        usecols=usecols,
        nrows=nrows,
        chunksize=chunksize,
        skipinitialspace=True,
        na_values=source.na_values or None,
        dtype={positions[c]: _csv_dtype(k) for c, k in (dtypes or {}).items() if c in positions},
        skip_blank_lines=True,
    )
    names = {positions[c]: c for c in columns}
    for frame in reader:
        frame.columns = [names[i] for i in frame.columns]
        yield frame[columns]


def _csv_dtype(kind: str):
    return "float64" if kind == "numeric" else "str"


def sha256_later(source: Source) -> Future:
    """``source_sha256`` in a background thread (hashlib hashes without the GIL)."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(source_sha256, source)
    pool.shutdown(wait=False)
    return future


def source_sha256(source: Source) -> str:
    """sha256 of the file bytes (of the column names and cell hashes for a DataFrame)."""
    if source.format == "frame":
        digest = hashlib.sha256("\x1f".join(source.columns).encode())
        hashed = pd.util.hash_pandas_object(source.frame, index=False).to_numpy(np.uint64)
        digest.update(hashed.tobytes())
        return digest.hexdigest()
    with located(source.file()).open() as handle:
        return file_sha256(handle)[0]

"""The CSV intake's one pyarrow pass (audits.intake_csv) against the pandas path it replaced
(`prepared_copy`, still the fallback): on real files and on made-up edge cases, the same copy,
the same kinds and mapping, or the same refusal."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import intake as intake_module
from audits.battery import BatteryInputError, prepare
from audits.battery import io as battery_io
from audits.battery.mapping import columns_to_read, normalize, resolve, target_columns
from audits.intake import IntakeLimits, intake
from audits.intake_csv import BLOCK_BYTES, PANDAS_NA_VALUES, NeedsPandas, csv_tables
from tests.audits.conftest import COMPAS_MAPPING

LIMITS = IntakeLimits(
    expanded_bytes=1 << 40, columns=1000, cell_chars=200, archive={}, transcript_bytes=0
)
ROWS = 1000  # row groups small enough that the cases below span several
ADULT_NAMES = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
               "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
               "hours-per-week", "native-country", "income"]  # fmt: skip
MAPPING = {"label": "y", "prediction": "p"}


def outcome(folder: Path, content: bytes, mapping: dict) -> tuple:
    """What intake makes of the file: its fields, the copy and the kinds an audit of the copy
    reads; or the refusal's message."""
    folder.mkdir()
    original, copy = folder / "upload.csv", folder / "copy.parquet"
    original.write_bytes(content)
    try:
        accepted = intake(original, mapping, copy, limits=LIMITS, row_group_rows=ROWS)
    except BatteryInputError as refusal:
        assert not copy.exists()
        return ("refused", str(refusal))
    kinds = prepare(copy, accepted.mapping).kinds
    groups = [g.num_rows for g in pq.ParquetFile(copy).iter_batches(batch_size=ROWS)]
    return (accepted, pq.read_table(copy), kinds, groups)


def both(tmp_path: Path, content: bytes, mapping: dict = MAPPING) -> tuple[tuple, tuple]:
    """The streamed outcome and the pandas path's (the intake with the streamed pass off)."""
    streamed = outcome(tmp_path / "streamed", content, mapping)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(intake_module, "_streamed_csv", lambda *args: None)
        pandas = outcome(tmp_path / "pandas", content, mapping)
    return streamed, pandas


def assert_same(streamed: tuple, pandas: tuple) -> None:
    """The same refusal, or the same fields, copy (values, types, row groups) and kinds."""
    if "refused" in (streamed[0], pandas[0]):
        assert streamed == pandas
        return
    assert streamed[0] == pandas[0] and streamed[2] == pandas[2] and streamed[3] == pandas[3]
    assert streamed[1].equals(pandas[1]) and streamed[1].schema == pandas[1].schema


def stream(tmp_path: Path, content: bytes, mapping: dict = MAPPING) -> list[pa.Table]:
    """The streamed pass alone: its tables, or NeedsPandas."""
    path = tmp_path / "alone.csv"
    path.write_bytes(content)
    source = battery_io.open_source(path)
    m, _ = resolve(normalize(mapping), source.columns)
    tables = csv_tables(
        path, source.columns, columns_to_read(m), target_columns(m), na_values=[],
        batch_rows=ROWS, cell_chars=LIMITS.cell_chars, limit_name="WARDEN_MAX_CELL_CHARS",
    )  # fmt: skip
    return list(tables)


@pytest.fixture
def adult_csv(datasets_dir) -> bytes:
    """UCI Adult as found (", " between values, a blank last line) under a header line."""
    return (", ".join(ADULT_NAMES) + "\n").encode() + (datasets_dir / "adult.data").read_bytes()


def test_adult_gives_the_pandas_copy_and_kinds(tmp_path, adult_csv):
    mapping = {"label": "income", "sensitive": ["sex", "race"]}
    streamed, pandas = both(tmp_path, adult_csv, mapping)
    assert_same(streamed, pandas)
    assert streamed[0].rows == 32_561 and streamed[2]["age"] == "numeric"
    assert streamed[2]["workclass"] == "categorical"
    assert sum(t.num_rows for t in stream(tmp_path, adult_csv, mapping)) == 32_561


def test_compas_gives_the_pandas_copy_and_kinds(tmp_path, compas_csv):
    streamed, pandas = both(tmp_path, compas_csv, COMPAS_MAPPING)
    assert_same(streamed, pandas)
    assert streamed[3] == [1000] * 7 + [214]
    assert stream(tmp_path, compas_csv, COMPAS_MAPPING)


def test_the_raw_compas_file_is_refused_for_its_repeated_columns_as_before(tmp_path, datasets_dir):
    content = (datasets_dir / "compas-scores-two-years.csv").read_bytes()
    streamed, pandas = both(tmp_path, content, {"label": "two_year_recid"})
    assert streamed == pandas and "decile_score" in streamed[1]


def late_text(rows: int) -> bytes:
    """A column of numbers for more than a block, then one text cell."""
    lines = [f"{i % 2},{i % 2},{i * 0.5}" for i in range(rows)]
    return ("y,p,x\n" + "\n".join(lines) + "\n1,1,late text\n").encode()


def test_a_column_numeric_for_more_than_a_block_then_text_is_text_as_before(tmp_path):
    content = late_text(BLOCK_BYTES // 8)
    assert len(content) > BLOCK_BYTES
    with pytest.raises(NeedsPandas, match="x"):
        stream(tmp_path, content)
    streamed, pandas = both(tmp_path, content)
    assert streamed[1].equals(pandas[1]) and streamed[2] == pandas[2] == {"x": "categorical"}


@pytest.mark.parametrize("spacing", ["", " "])
def test_every_pandas_na_token_is_missing_in_text(tmp_path, spacing):
    lines = [f"1,0,{spacing}{token}" for token in PANDAS_NA_VALUES]
    content = ("y,p,t\n" + "\n".join([*lines, "0,1,word"]) + "\n").encode()
    assert stream(tmp_path, content)  # read by pyarrow, leading spaces skipped as pandas does
    streamed, pandas = both(tmp_path, content)
    assert streamed[1].equals(pandas[1]) and streamed[2] == pandas[2] == {"t": "categorical"}
    assert streamed[1].column("t").null_count == len(PANDAS_NA_VALUES)


def test_every_pandas_na_token_is_missing_in_numbers(tmp_path):
    lines = [f"1,0,{token}" for token in PANDAS_NA_VALUES]
    content = ("y,p,n\n" + "\n".join([*lines, "0,1,2.5"]) + "\n").encode()
    assert stream(tmp_path, content)
    streamed, pandas = both(tmp_path, content)
    assert streamed[1].equals(pandas[1]) and streamed[2] == pandas[2] == {"n": "numeric"}
    assert streamed[1].column("n").null_count == len(PANDAS_NA_VALUES)


def test_a_label_of_true_and_1_is_text_as_pandas_reads_it(tmp_path):
    content = b"y,p,x\nTrue,True,a\n1,1,b\nfalse,false,c\n"
    streamed, pandas = both(tmp_path, content)
    assert_same(streamed, pandas)
    assert streamed[1].column("y").to_pylist() == ["True", "1", "false"]


def test_a_formula_cell_after_the_first_row_group_is_refused_naming_row_and_column(tmp_path):
    lines = [f"{i % 2},{i % 2},note" for i in range(2500)]
    lines[2400] = "1,1,=HYPERLINK()"
    content = ("y,p,note\n" + "\n".join(lines) + "\n").encode()
    streamed, pandas = both(tmp_path, content)
    assert streamed == pandas
    assert "note" in streamed[1] and "row 2401 starts with '='" in streamed[1]


def test_an_over_long_cell_is_refused_naming_the_setting(tmp_path):
    content = ("y,p,note\n1,1,short\n0,0," + "z" * 201 + "\n").encode()
    streamed, pandas = both(tmp_path, content)
    assert streamed == pandas and "WARDEN_MAX_CELL_CHARS" in streamed[1]


def test_a_label_past_64_bits_is_refused_naming_its_column_and_row(tmp_path):
    """Found by the made-up files below: pandas kept it a Python int, which no Parquet column
    holds, and the intake raised OverflowError (an upload's 500)."""
    content = b"y,p,x\n99999999999999999999,99999999999999999999,a\n"
    streamed, pandas = both(tmp_path, content)
    assert streamed == pandas
    assert "y" in streamed[1] and "row 1: 99999999999999999999 is a whole number" in streamed[1]


@pytest.mark.parametrize(
    "content",
    [
        b"y,p,x\n1,1,a\n0,0,b,extra\n1,0,c\n",  # a ragged row
        b"y,p,x\n1,1,caf\xe9\n0,0,b\n",  # not UTF-8
        b'y,p,x\n1,1,"two\nlines"\n0,0, "quoted, behind a space"\n',
        b"y,p,x\n1,1,1\n0,0,99999999999999999999\n",  # pandas: text
    ],
    ids=["ragged", "latin-1", "quoted", "past-uint64"],
)
def test_files_pyarrow_reads_otherwise_get_the_pandas_answer(tmp_path, content):
    with pytest.raises(NeedsPandas):
        stream(tmp_path, content)
    assert_same(*both(tmp_path, content))


CELLS = st.sampled_from(["1", "0", "-2.5", " 3", "1e3", "inf", "True", "true", "FALSE", "x",
                         " x", "a b", "", " ", "NA", " NA", "None", "<NA>", "#N/A", '"q"',
                         '" q"', '"1"', "-", "+x", "2020-01-01", "12:30",
                         "99999999999999999999", "1e300"])  # fmt: skip
ROW_COUNT = st.integers(min_value=1, max_value=2 * ROWS + 5)
EQUIVALENCE = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@EQUIVALENCE
@given(columns=st.lists(st.lists(CELLS, min_size=1, max_size=4), min_size=3, max_size=3),
       rows=ROW_COUNT)  # fmt: skip
def test_made_up_files_get_the_pandas_answer(tmp_path_factory, columns, rows):
    """Three columns, each cycling through a few cells (numbers, booleans, NA tokens, spaces,
    quotes, dates): the streamed intake's answer is the pandas path's."""
    body = [",".join(column[i % len(column)] for column in columns) for i in range(rows)]
    content = ("y,p,x\n" + "\n".join(body) + "\n").encode()
    assert_same(*both(tmp_path_factory.mktemp("made-up"), content))

"""Hostile uploads against the intake (the code behind the upload endpoint): random bytes,
random CSV shapes, huge fields and odd encodings end in a BatteryInputError (a 400 naming the
problem) or an accepted set, never in any other exception."""

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.battery import BatteryInputError
from audits.battery.tensors.archive import TensorLimits
from audits.intake import IntakeLimits, intake

LIMITS = IntakeLimits(
    expanded_bytes=50 * 1024 * 1024,
    columns=2_000,
    cell_chars=100_000,
    archive=TensorLimits().to_json(),
    transcript_bytes=1024 * 1024,
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MAPPING = {"label": "y", "prediction": "p"}


def take_in(tmp_path: Path, name: str, content: bytes, mapping=MAPPING) -> None:
    folder = tmp_path / f"case-{abs(hash(content)) % 10**12}"
    folder.mkdir(exist_ok=True)
    original = folder / name
    original.write_bytes(content)
    try:
        intake(original, mapping, folder / "data.parquet", limits=LIMITS, row_group_rows=1000)
    except BatteryInputError as refusal:
        assert str(refusal).strip(), "a refusal must say why"
        assert "\n" not in str(refusal)


@FUZZ
@given(content=st.binary(max_size=4096), suffix=st.sampled_from(["csv", "parquet"]))
def test_random_bytes_are_refused_or_read(tmp_path, content, suffix):
    take_in(tmp_path, f"upload.{suffix}", content)


cells = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=string.printable, max_size=30),
    st.sampled_from(["", "nan", "NA", "?", "1e999", "-", '"', '""', "0x1F", "\uff11"]),
)


@FUZZ
@given(
    header=st.lists(st.sampled_from(["y", "p", "x", "y ", "", "p"]), min_size=1, max_size=5),
    rows=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=30),
    separator=st.sampled_from([",", ";", "\t", ", "]),
)
def test_random_csv_shapes_are_refused_or_read(tmp_path, header, rows, separator):
    lines = [separator.join(header), *(separator.join(row) for row in rows)]
    take_in(tmp_path, "upload.csv", "\n".join(lines).encode())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "latin-1", "cp1252", "utf-8-sig"])
def test_odd_encodings_are_refused_or_read(tmp_path, encoding):
    text = "y,p,name\n1,1,Zoë\n0,0,Müller\n1,0,Łukasz\n"
    take_in(tmp_path, "upload.csv", text.encode(encoding, errors="replace"))


def test_a_huge_field_is_refused_or_read(tmp_path):
    take_in(tmp_path, "upload.csv", b"y,p,x\n1,1," + b"A" * 20_000_000 + b"\n0,0,b\n")


def test_a_nul_laden_file_is_refused_or_read(tmp_path):
    take_in(tmp_path, "upload.csv", b"y,p\n1\x00,1\n\x00\x00,0\n")


@FUZZ
@given(
    mapping=st.dictionaries(
        st.sampled_from(
            [
                "label",
                "prediction",
                "score",
                "sensitive",
                "slices",
                "features",
                "probabilities",
                "positive_label",
                "classes",
                "bogus",
            ]
        ),
        st.one_of(
            st.none(), st.text(max_size=5), st.lists(st.text(max_size=3), max_size=3), st.integers()
        ),
        max_size=5,
    )
)
def test_random_mappings_are_refused_or_read(tmp_path, mapping):
    take_in(tmp_path, "upload.csv", b"y,p,x\n1,1,0.5\n0,0,0.1\n1,0,0.3\n", mapping)

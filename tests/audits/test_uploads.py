"""Evaluation-set uploads: accepted with their hash and a Parquet copy, or refused with a 4xx
that names the column and the problem, leaving no file, row or event behind."""

import hashlib
import os
import threading

import pandas as pd
import pytest

from audits.models import EvaluationSet
from governance.models import Event
from tests.audits.conftest import COMPAS_MAPPING, csv_upload, parquet_bytes

pytestmark = pytest.mark.django_db
URL = "/api/models/recidivism/versions/1.0.0/evaluation-sets/"


def upload(api, user, file, mapping=COMPAS_MAPPING, **extra):
    import json

    body = {"file": file, "mapping": json.dumps(mapping), **extra}
    return api.as_user(user).post(URL, body, format="multipart")


def media_files(settings) -> list:
    return [
        path
        for path in settings.MEDIA_ROOT.rglob("*")
        if path.is_file() and "evaluation-sets" in str(path)
    ]


def test_a_csv_is_kept_with_its_hash_and_read_through_a_parquet_copy(
    cast, api, version, compas_csv
):
    response = upload(api, cast.erin, csv_upload(compas_csv))
    assert response.status_code == 201, response.data
    assert response.data["rows"] == 7214
    assert response.data["original_sha256"] == hashlib.sha256(compas_csv).hexdigest()
    stored = EvaluationSet.objects.get()
    copy = pd.read_parquet(stored.parquet.path)
    assert len(copy) == 7214
    assert "id" not in copy.columns  # only mapped columns are copied
    assert Event.objects.filter(verb="evaluation_set_uploaded").count() == 1


def test_a_parquet_upload_is_accepted(cast, api, version, compas_frame):
    content = parquet_bytes(compas_frame)
    response = upload(api, cast.erin, csv_upload(content, "compas.parquet"), role="reference")
    assert response.status_code == 201, response.data
    assert response.data["role"] == "reference"
    assert response.data["original_format"] == "parquet"


def test_another_team_cannot_upload(cast, api, version, compas_csv):
    assert upload(api, cast.bob, csv_upload(compas_csv)).status_code == 403


def refused(api, cast, settings, response, status=400):
    assert response.status_code == status, response.data
    assert not EvaluationSet.objects.exists()
    assert not Event.objects.filter(verb="evaluation_set_uploaded").exists()
    assert media_files(settings) == []
    return response.data


def test_a_mapping_naming_a_missing_column_is_refused(cast, api, settings, version, compas_csv):
    mapping = {**COMPAS_MAPPING, "sensitive": ["ethnicity"]}
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(compas_csv), mapping))
    assert data["problems"][0]["column"] == "ethnicity"
    assert "not found" in data["file"][0]


def test_a_mapping_that_is_not_json_is_refused(cast, api, settings, version, compas_csv):
    body = {"file": csv_upload(compas_csv), "mapping": "{label: x"}
    response = api.as_user(cast.erin).post(URL, body, format="multipart")
    assert "mapping" in refused(api, cast, settings, response)


def test_a_corrupt_parquet_file_is_refused(cast, api, settings, version, compas_frame):
    content = parquet_bytes(compas_frame)
    broken = content[: len(content) // 2]  # the footer, with the schema, is gone
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(broken, "x.parquet")))
    assert "Parquet" in data["file"][0]


def test_a_parquet_file_with_damaged_pages_is_refused(cast, api, settings, version, compas_frame):
    content = parquet_bytes(compas_frame, compression="snappy")
    footer = int.from_bytes(content[-8:-4], "little") + 8
    damaged = content[:4] + bytes(len(content) - 4 - footer) + content[-footer:]
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(damaged, "x.parquet")))
    assert "read" in data["file"][0]


def test_an_empty_file_is_refused(cast, api, settings, version):
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(b"", "empty.csv")))
    assert "empty" in data["file"][0]


def test_an_unknown_file_type_is_refused(cast, api, settings, version):
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(b"a,b\n", "x.xlsx")))
    assert ".csv or .parquet" in data["file"][0]


@pytest.mark.parametrize(
    "cell",
    ["=", "=\nHYPERLINK(1)", "\t=1", "\uff1dHYPERLINK(1)", "\uff0b1", "\uff0d1", "\uff20SUM(A1)"],
)
def test_a_cell_a_spreadsheet_reads_as_a_formula_is_refused_however_short(
    cast, api, settings, version, cell
):
    frame = pd.DataFrame({"y": [0, 1] * 5, "p": [0, 1] * 5, "note": ["ok"] * 10})
    frame.loc[3, "note"] = cell
    mapping = {"label": "y", "prediction": "p", "features": ["note"]}
    content = frame.to_csv(index=False).encode()
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(content), mapping))
    assert data["problems"][0]["column"] == "note" and "formula" in data["file"][0]


def test_negative_numbers_in_a_text_column_are_not_formulas(cast, api, version):
    frame = pd.DataFrame({"y": [0, 1] * 5, "p": [0, 1] * 5, "x": ["-1.5", "+2", "abc"] * 3 + ["d"]})
    mapping = {"label": "y", "prediction": "p", "features": ["x"]}
    response = upload(api, cast.erin, csv_upload(frame.to_csv(index=False).encode()), mapping)
    assert response.status_code == 201, response.data


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_a_cell_that_starts_like_a_formula_is_refused(
    cast, api, settings, version, compas_frame, prefix
):
    frame = compas_frame.copy()
    frame["c_charge_degree"] = frame["c_charge_degree"].astype(object)
    frame.loc[10, "c_charge_degree"] = f'{prefix}HYPERLINK("http://x")'
    content = frame.to_csv(index=False).encode()
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(content)))
    assert data["problems"][0]["column"] == "c_charge_degree"
    assert "formula" in data["file"][0]


def test_negative_numbers_are_not_formulas(cast, api, version):
    frame = pd.DataFrame({"y": [0, 1] * 50, "p": [0, 1] * 50, "x": [-1.5, 2.0] * 50})
    response = upload(
        api,
        cast.erin,
        csv_upload(frame.to_csv(index=False).encode()),
        {"label": "y", "prediction": "p"},
    )
    assert response.status_code == 201, response.data


def test_a_file_over_the_cap_is_refused_before_it_is_read(cast, api, settings, version, compas_csv):
    settings.WARDEN_MAX_UPLOAD_BYTES = 10_000
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(compas_csv)), status=413)
    assert "cap" in data["file"][0]


def test_a_parquet_file_that_expands_past_the_limit_is_refused(cast, api, settings, version):
    settings.WARDEN_MAX_PARQUET_EXPANDED_BYTES = 1_000_000
    frame = pd.DataFrame({"y": [0] * 2_000_000, "p": [0] * 2_000_000})
    content = parquet_bytes(frame, compression="zstd")
    assert len(content) < 100_000  # small on the wire, large once expanded
    response = upload(
        api, cast.erin, csv_upload(content, "bomb.parquet"), {"label": "y", "prediction": "p"}
    )
    data = refused(api, cast, settings, response)
    assert "WARDEN_MAX_PARQUET_EXPANDED_BYTES" in data["file"][0]


def test_labels_and_predictions_from_different_sets_are_refused(cast, api, settings, version):
    frame = pd.DataFrame({"y": ["yes", "no"] * 50, "p": ["1", "0"] * 50})
    response = upload(
        api,
        cast.erin,
        csv_upload(frame.to_csv(index=False).encode()),
        {"label": "y", "prediction": "p"},
    )
    data = refused(api, cast, settings, response)
    assert data["problems"][0]["column"] in {"y", "p"}


def test_duplicate_column_names_are_refused(cast, api, settings, version):
    content = b"y,p,p\n1,1,0\n0,0,1\n"
    data = refused(
        api,
        cast,
        settings,
        upload(api, cast.erin, csv_upload(content), {"label": "y", "prediction": "p"}),
    )
    assert "p" in data["file"][0] and "unique" in data["file"][0]


def test_an_unknown_field_is_refused(cast, api, settings, version, compas_csv):
    response = upload(api, cast.erin, csv_upload(compas_csv), colour="blue")
    assert "colour" in refused(api, cast, settings, response)


def dictionary_bomb(rows: int = 250_000, width: int = 10_000) -> bytes:
    """A Parquet file of a few KB whose text column, dictionary-encoded, decodes to
    rows x width bytes: three long strings repeated row after row."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    words = pa.array([letter * width for letter in "abc"])
    text = pa.DictionaryArray.from_arrays(pa.array(np.arange(rows) % 3, pa.int32()), words)
    zeros = pa.array(np.arange(rows) % 2)
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.table({"y": zeros, "p": zeros, "note": text}), buffer, compression="zstd")
    return buffer.getvalue().to_pybytes()


def test_a_dictionary_encoded_parquet_bomb_is_refused_without_decoding_it(
    cast, api, settings, version
):
    import tracemalloc

    content = dictionary_bomb()
    assert len(content) < 100_000  # 2.5 GB of text once decoded
    tracemalloc.start()
    try:
        response = upload(
            api,
            cast.erin,
            csv_upload(content, "bomb.parquet"),
            {"label": "y", "prediction": "p", "features": ["note"]},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    data = refused(api, cast, settings, response)
    assert "WARDEN_MAX_PARQUET_EXPANDED_BYTES" in data["file"][0]
    assert peak < 100 * 1024**2  # the strings were never built


def test_a_parquet_cell_longer_than_the_limit_is_refused_naming_its_column(
    cast, api, settings, version
):
    settings.WARDEN_MAX_CELL_CHARS = 1_000
    content = dictionary_bomb(rows=10, width=2_000)
    response = upload(
        api, cast.erin, csv_upload(content, "long.parquet"), {"label": "y", "prediction": "p"}
    )
    data = refused(api, cast, settings, response)
    assert data["problems"][0]["column"] == "note"
    assert "WARDEN_MAX_CELL_CHARS" in data["problems"][0]["reason"]


def test_a_csv_cell_longer_than_the_limit_is_refused_naming_its_column(
    cast, api, settings, version
):
    settings.WARDEN_MAX_CELL_CHARS = 1_000
    content = b"y,p,note\n1,1,short\n0,0," + b"x" * 2_000 + b"\n"
    mapping = {"label": "y", "prediction": "p", "features": ["note"]}
    data = refused(api, cast, settings, upload(api, cast.erin, csv_upload(content), mapping))
    assert data["problems"][0]["column"] == "note"
    assert "row 2" in data["problems"][0]["reason"]
    assert "WARDEN_MAX_CELL_CHARS" in data["problems"][0]["reason"]


def test_a_csv_of_100000_columns_is_refused_naming_the_limit(cast, api, settings, version):
    header = ",".join(["y", "p", *(f"c{i}" for i in range(100_000))])
    content = (header + "\n" + ",".join(["1"] * 100_002) + "\n").encode()
    response = upload(api, cast.erin, csv_upload(content), {"label": "y", "prediction": "p"})
    data = refused(api, cast, settings, response)
    assert "100002 columns" in data["file"][0] and "WARDEN_MAX_COLUMNS" in data["file"][0]


def test_an_upload_is_taken_in_on_a_thread_at_the_workers_niceness(
    cast, api, version, compas_csv, monkeypatch, settings
):
    """Intake is a worker's kind of work inside a web request: it runs at WARDEN_WORKER_NICE
    on a thread of its own, while the request's thread keeps the web tier's priority, and a
    refusal it raises there still reaches the engineer as a 400."""
    from audits import intake

    seen: list[tuple[int, int]] = []
    taken_in = intake.intake

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        thread = threading.get_native_id()
        seen.append((thread, os.getpriority(os.PRIO_PROCESS, thread)))
        return taken_in(*args, **kwargs)

    monkeypatch.setattr(intake, "intake", watched)
    request_thread = threading.get_native_id()
    niceness_before = os.getpriority(os.PRIO_PROCESS, request_thread)
    assert upload(api, cast.erin, csv_upload(compas_csv)).status_code == 201
    [(thread, niceness)] = seen
    assert thread != request_thread
    assert niceness == max(settings.WARDEN_WORKER_NICE, niceness_before)
    assert os.getpriority(os.PRIO_PROCESS, request_thread) == niceness_before
    refused = upload(api, cast.erin, csv_upload(b"a,b\n1,2\n"))
    assert refused.status_code == 400
    assert "two_year_recid" in str(refused.data["file"])

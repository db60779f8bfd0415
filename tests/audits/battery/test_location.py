"""The battery reads sets and artifacts kept in an S3 bucket (moto's server on loopback) as it
reads local files: Parquet by ranged reads of its row groups, CSV, archives and models."""

import io
import json
import re
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audits.battery import io as battery_io
from audits.battery.artifacts import open_artifact
from audits.battery.cli import main
from audits.battery.errors import BatteryInputError
from audits.battery.location import ObjectStore, located, object_store_use
from tests.audits.battery.conftest import binary_frame
from tests.object_store import ACCESS_KEY, SECRET_KEY


@pytest.fixture
def bucket(object_store):
    """The bucket, with the battery reading s3:// locations from it (as the command line does,
    from WARDEN_S3_*)."""
    previous = object_store_use(ObjectStore.from_environment)
    yield object_store
    object_store_use(previous)


def put(bucket, key: str, data: bytes) -> str:
    bucket.client.put_object(Bucket=bucket.bucket, Key=key, Body=data)
    return f"s3://{bucket.bucket}/{key}"


def parquet_of(frame: pd.DataFrame, row_group_size: int) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer,
                   row_group_size=row_group_size)  # fmt: skip
    return buffer.getvalue()


def test_a_parquet_set_in_a_bucket_opens_with_its_columns_and_rows(bucket, compas_frame):
    uri = put(bucket, "sets/compas.parquet", parquet_of(compas_frame, 1000))
    source = battery_io.open_source(uri)
    assert (source.format, source.rows) == ("parquet", len(compas_frame))
    assert source.columns == list(compas_frame.columns)


def test_a_chunk_is_read_by_ranged_requests_not_by_downloading_the_set(bucket):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=200_000) for i in range(4)})
    data = parquet_of(frame, 10_000)  # 20 row groups of about 320 KB
    uri = put(bucket, "sets/wide.parquet", data)
    source = battery_io.open_source(uri)
    chunks = battery_io.plan_chunks(source, 10_000)
    before = bucket.sent.total
    chunk = battery_io.read_chunk(source, ["x0", "x1"], *chunks[7])
    sent = bucket.sent.total - before
    pd.testing.assert_frame_equal(
        chunk, frame[["x0", "x1"]].iloc[70_000:80_000].reset_index(drop=True)
    )
    assert sent < len(data) / 20, (sent, len(data))


def test_a_csv_set_in_a_bucket_reads_the_same_rows_as_from_disk(bucket, compas_frame, tmp_path):
    content = compas_frame.to_csv(index=False).encode()
    local = tmp_path / "compas.csv"
    local.write_bytes(content)
    remote = battery_io.open_source(put(bucket, "sets/compas.csv", content))
    on_disk = battery_io.open_source(str(local))
    remote.rows = on_disk.rows = len(compas_frame)
    columns = ["two_year_recid", "race", "age"]
    chunks = battery_io.plan_chunks(on_disk, 2000)
    pd.testing.assert_frame_equal(
        pd.concat(battery_io.iter_chunks(remote, columns, chunks)),
        pd.concat(battery_io.iter_chunks(on_disk, columns, chunks)),
    )
    assert remote.columns == on_disk.columns


def test_an_archive_in_a_bucket_opens_its_manifest_and_members(bucket):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.csv", "file,label\na.npy,1\n")
        array = io.BytesIO()
        np.save(array, np.zeros((2, 2)))
        archive.writestr("a.npy", array.getvalue())
    source = battery_io.open_source(put(bucket, "sets/tensors.zip", buffer.getvalue()))
    assert source.format == "archive" and source.columns == ["file", "label"]
    assert source.archive().raw(["a.npy"])[0].shape == (2, 2)


def test_a_model_artifact_in_a_bucket_loads_and_predicts_as_from_disk(
    bucket, compas_model, compas_frame, tmp_path
):
    local = tmp_path / "model.skops"
    local.write_bytes(compas_model)
    remote = open_artifact(put(bucket, "artifacts/model.skops", compas_model), "skops")
    columns = ["age", "priors_count", "juv_fel_count", "c_charge_degree"]
    rows = compas_frame[columns].head(50)
    for model in (remote, on_disk := open_artifact(str(local), "skops")):
        model.bind(columns, columns, {})
    np.testing.assert_array_equal(remote.predict(rows), on_disk.predict(rows))


def test_the_command_line_audits_a_set_in_a_bucket_as_one_on_disk(bucket, tmp_path, capsys):
    frame = binary_frame(3000)
    local = tmp_path / "d.parquet"
    frame.to_parquet(local, index=False)
    uri = put(bucket, "sets/d.parquet", local.read_bytes())
    documents = []
    for data in (uri, str(local)):
        code = main(["--data", data, "--label", "y", "--score", "score", "--tier", "3"])
        documents.append((code, json.loads(capsys.readouterr().out)))
    assert documents[0] == documents[1]


def test_a_missing_object_is_bad_input_naming_it(bucket):
    uri = f"s3://{bucket.bucket}/sets/absent.parquet"
    with pytest.raises(BatteryInputError, match=re.escape(f"file not found: {uri}")):
        battery_io.open_source(uri)


def test_a_store_never_shows_its_keys():
    shown = repr(ObjectStore("http://127.0.0.1:9000", "us-east-1", ACCESS_KEY, SECRET_KEY))
    assert ACCESS_KEY not in shown and SECRET_KEY not in shown


def test_a_location_names_its_file_by_the_key_last_part():
    assert located("s3://bucket/evaluation-sets/m/1.0/data.parquet").name == "data.parquet"

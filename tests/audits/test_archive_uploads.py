"""Image and tensor sets and deep-net artifacts through the API: a ZIP of PNGs with its manifest
is kept as uploaded with its sha256 and read as it is; a bad archive is a 400 naming the file
field and the reason, leaving no file, row or event; a PyTorch file is refused on the artifact
field with the battery's advice, and an ONNX CNN is a version's artifact."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import EvaluationSet
from governance.models import Event, ModelVersion
from tests.audits.test_uploads import URL, media_files
from tests.factories import mlmodel_make
from tests.tensor_models import digits_cnn, digits_pixels, png_bytes, write_digits_zip

pytestmark = pytest.mark.django_db
DIGITS_MAPPING = {"label": "label", "slices": ["ink"]}


def upload(api, user, name: str, content: bytes, mapping=DIGITS_MAPPING):  # type: ignore[no-untyped-def]
    body = {"file": SimpleUploadedFile(name, content), "mapping": json.dumps(mapping)}
    return api.as_user(user).post(URL, body, format="multipart")


def digits_zip(tmp_path: Path, rows: int = 60) -> bytes:
    pixels, labels = digits_pixels()
    return write_digits_zip(tmp_path / "digits.zip", pixels[:rows], labels[:rows]).read_bytes()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refused(settings, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.data
    assert not EvaluationSet.objects.exists()
    assert not Event.objects.filter(verb="evaluation_set_uploaded").exists()
    assert media_files(settings) == []
    return " ".join(response.data["file"])


def test_a_zip_of_pngs_is_kept_as_uploaded_and_read_as_it_is(cast, api, version, tmp_path):
    content = digits_zip(tmp_path)
    response = upload(api, cast.erin, "digits.zip", content)
    assert response.status_code == 201, response.data
    assert response.data["rows"] == 60 and response.data["original_format"] == "zip"
    assert response.data["original_sha256"] == hashlib.sha256(content).hexdigest()
    stored = EvaluationSet.objects.get()
    assert stored.parquet.name == stored.original.name  # no copy: audits read the archive
    assert stored.parquet_sha256 == stored.original_sha256


def test_a_zip_without_a_manifest_is_refused(cast, api, settings, version):
    content = zip_of({"images/0.png": png_bytes(digits_pixels()[0][0])})
    assert "manifest.csv" in refused(settings, upload(api, cast.erin, "digits.zip", content))


def test_a_manifest_naming_a_missing_image_is_refused_naming_it(cast, api, settings, version):
    manifest = b"file,label,ink\nimages/0.png,0,light\nimages/gone.png,1,light\n"
    image = png_bytes(digits_pixels()[0][0])
    content = zip_of({"manifest.csv": manifest, "images/0.png": image})
    response = upload(api, cast.erin, "digits.zip", content)
    assert "images/gone.png" in str(response.data["problems"])
    assert "not in the archive" in refused(settings, response)


def test_a_member_leaving_the_archive_is_refused(cast, api, settings, version):
    manifest = b"file,label,ink\n../escape.png,0,light\n"
    content = zip_of({"manifest.csv": manifest, "../escape.png": b"x"})
    assert "leaves the archive" in refused(settings, upload(api, cast.erin, "digits.zip", content))


def test_a_member_past_the_unpacked_cap_is_refused_naming_it(
    cast, api, settings, tmp_path, version
):  # type: ignore[no-untyped-def]
    settings.WARDEN_ARCHIVE_LIMITS = {**settings.WARDEN_ARCHIVE_LIMITS, "member_bytes": 100}
    response = upload(api, cast.erin, "digits.zip", digits_zip(tmp_path))
    assert "over the limit of 100" in refused(settings, response)


def test_a_corrupt_zip_is_refused(cast, api, settings, version):
    assert "ZIP" in refused(settings, upload(api, cast.erin, "digits.zip", b"PK\x03\x04broken"))


def test_a_pytorch_file_is_refused_on_the_artifact_field_with_advice(cast, api):
    mlmodel_make(cast.erin, slug="digits")
    body = {"version": "1", "artifact": SimpleUploadedFile("digits.pt", b"PK\x03\x04data.pkl")}
    response = api.as_user(cast.erin).post("/api/models/digits/versions/", body)
    assert response.status_code == 400
    assert "torch.onnx.export" in response.data["artifact"][0]
    assert not ModelVersion.objects.exists()


def test_an_onnx_cnn_is_a_versions_artifact(cast, api):
    mlmodel_make(cast.erin, slug="digits")
    artifact = SimpleUploadedFile("digits.onnx", digits_cnn().onnx_bytes)
    response = api.as_user(cast.erin).post(
        "/api/models/digits/versions/", {"version": "1", "artifact": artifact}
    )
    assert response.status_code == 201, response.data
    assert response.data["artifact_format"] == "onnx"

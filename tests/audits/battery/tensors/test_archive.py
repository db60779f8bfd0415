"""Hostile and broken archives are refused before anything in them is decoded, each with a
message naming the member and the reason (tensors/archive.py)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest

from audits.battery.errors import BatteryInputError
from audits.battery.tensors.archive import TensorArchive, TensorLimits
from tests.tensor_models import digits_pixels, png_bytes


def archive(path, members: dict[str, bytes], manifest: str = "file,label\na.png,1\n"):
    """A ZIP at ``path`` holding ``members`` and a manifest."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("manifest.csv", manifest)
        for name, data in members.items():
            out.writestr(name, data)
    return path


def refusal(path, limits=None, names=("a.png",), indices=None) -> str:
    with pytest.raises(BatteryInputError) as caught:
        TensorArchive(path, limits or TensorLimits()).raw(list(names), indices)
    return str(caught.value)


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height 8-bit grey pixels (no pixel data follows)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_a_digit_png_decodes_to_its_8_bit_pixels(tmp_path):
    pixels = digits_pixels()[0][0]
    path = archive(tmp_path / "set.zip", {"a.png": png_bytes(pixels)})
    (decoded,) = TensorArchive(path).raw(["a.png"])
    assert decoded.dtype == np.uint8 and np.array_equal(decoded, pixels)


def test_a_member_named_outside_the_root_is_refused(tmp_path):
    path = archive(tmp_path / "set.zip", {"../evil.png": b"x"})
    assert "../evil.png" in refusal(path) and "leaves the archive's root" in refusal(path)


def test_an_absolute_member_name_is_refused(tmp_path):
    path = archive(tmp_path / "set.zip", {"/etc/passwd": b"x"})
    assert "column '/etc/passwd': member names must be relative POSIX paths" in refusal(path)


def test_a_backslash_member_name_is_refused(tmp_path):
    path = archive(tmp_path / "set.zip", {"..\\evil.png": b"x"})
    assert "member names must be relative POSIX paths" in refusal(path)


def test_a_manifest_naming_a_path_outside_the_root_is_refused(tmp_path):
    path = archive(tmp_path / "set.zip", {"a.png": b"x"})
    assert "leaves the archive's root" in str(TensorArchive(path).missing(["../a.png"])[0])


def test_a_member_the_manifest_names_but_the_archive_lacks_is_a_problem(tmp_path):
    path = archive(tmp_path / "set.zip", {"a.png": b"x"})
    (problem,) = TensorArchive(path).missing(["a.png", "b.png"])
    assert str(problem) == "column 'b.png': is named in the manifest but not in the archive"


def test_an_archive_without_a_manifest_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "set.zip", "w") as out:
        out.writestr("a.png", b"x")
    with pytest.raises(BatteryInputError, match=r"has no manifest\.csv at its root"):
        TensorArchive(tmp_path / "set.zip")


def test_an_archive_with_too_many_members_is_refused(tmp_path):
    path = archive(tmp_path / "set.zip", {f"{i}.png": b"x" for i in range(5)})
    with pytest.raises(BatteryInputError, match="holds 6 members, over the limit of 3"):
        TensorArchive(path, TensorLimits(members=3))


def test_a_compression_bomb_member_is_refused_from_the_directory(tmp_path):
    path = archive(tmp_path / "set.zip", {"bomb.npy": bytes(64 * 1024**2)})
    with pytest.raises(BatteryInputError) as caught:
        TensorArchive(path)
    assert "column 'bomb.npy': is compressed" in str(caught.value)
    assert "a decompression bomb" in str(caught.value)


def test_a_member_over_the_size_limit_is_refused(tmp_path):
    path = archive(tmp_path / "set.zip", {"big.npy": np.arange(1000).tobytes()})
    with pytest.raises(BatteryInputError, match=r"'big\.npy': unpacks to 8000 bytes, over the"):
        TensorArchive(path, TensorLimits(member_bytes=1000))


def test_a_20000_by_20000_png_header_is_refused_before_decoding(tmp_path):
    path = archive(tmp_path / "set.zip", {"a.png": png_header(20_000, 20_000)})
    assert "column 'a.png'" in refusal(path) and "pixel bomb" in refusal(path)


def test_an_image_past_the_pixel_limit_is_refused_with_its_size(tmp_path):
    path = archive(tmp_path / "set.zip", {"a.png": png_header(300, 200)})
    message = refusal(path, TensorLimits(pixels=50_000))
    assert "is 300x200 pixels, over the limit of 50000 (a pixel bomb)" in message


def test_an_undecodable_image_is_refused(tmp_path):
    path = archive(tmp_path / "set.zip", {"a.png": b"not an image at all"})
    assert "column 'a.png': is not a decodable image" in refusal(path)


def test_an_npy_holding_pickled_objects_is_refused(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"code": "os.system"}], dtype=object), allow_pickle=True)
    path = archive(tmp_path / "set.zip", {"a.npy": buffer.getvalue()})
    message = refusal(path, names=["a.npy"])
    assert "column 'a.npy': holds Python objects (pickled), which are never loaded" in message


def test_a_packed_npy_gives_the_indexed_row(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.arange(24, dtype=np.float32).reshape(3, 2, 4))
    path = archive(tmp_path / "set.npz", {"x.npy": buffer.getvalue()})
    (row,) = TensorArchive(path).raw(["x.npy"], [2])
    assert np.array_equal(row, np.arange(16, 24, dtype=np.float32).reshape(2, 4))


def test_an_index_past_the_packed_array_is_refused(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((3, 2), np.float32))
    path = archive(tmp_path / "set.zip", {"x.npy": buffer.getvalue()})
    assert "'x.npy': has 3 rows; index 3 is out of range" in refusal(path, names=["x.npy"],
                                                                     indices=[3])  # fmt: skip


def test_limits_from_options_refuse_an_unknown_limit():
    with pytest.raises(BatteryInputError, match=r"archive_limits\.bytes"):
        TensorLimits.from_json({"bytes": 10})

"""The shared fingerprints: canonical JSON's exact bytes, and a file's sha256 and size."""

import hashlib
import io

import pytest

from digests import canonical_json, file_sha256


def test_canonical_json_sorts_keys_and_leaves_no_spaces_or_escapes():
    assert canonical_json({"b": [1, None], "a": "Zoë"}) == '{"a":"Zoë","b":[1,null]}'


def test_canonical_json_refuses_nan_unless_allowed():
    with pytest.raises(ValueError, match="JSON compliant"):
        canonical_json({"x": float("nan")})
    assert canonical_json({"x": float("nan")}, allow_nan=True) == '{"x":NaN}'


def test_a_files_sha256_is_of_all_its_bytes_from_the_start_and_it_is_rewound():
    data = b"x" * 5_000_000  # more than one block
    handle = io.BytesIO(data)
    handle.read(10)
    assert file_sha256(handle) == (hashlib.sha256(data).hexdigest(), len(data))
    assert handle.tell() == 0

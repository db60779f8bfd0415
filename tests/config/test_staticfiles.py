"""Static files are compressed quickly and still correctly: the brotli and gzip copies
WhiteNoise serves decode to the file itself."""

import gzip

import brotli

from config.staticfiles import QuickCompressor
from tests.conftest import REPO_DIR


def test_the_compressed_copies_decode_to_the_original(tmp_path):
    original = (REPO_DIR / "static" / "warden.css").read_bytes() * 20
    path = tmp_path / "warden.css"
    path.write_bytes(original)
    written = set(QuickCompressor(quiet=True).compress(str(path)))
    assert written == {f"{path}.br", f"{path}.gz"}
    assert brotli.decompress((tmp_path / "warden.css.br").read_bytes()) == original
    assert gzip.decompress((tmp_path / "warden.css.gz").read_bytes()) == original

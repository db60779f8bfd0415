"""Static files as WhiteNoise serves them, compressed at a level that keeps `collectstatic`
quick: brotli's default quality (11) took ~95 s of a first `make run` on the API docs'
bundles for files only ~10% smaller than quality 5 makes in a fiftieth of the time."""

import brotli
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BROTLI_QUALITY = 5


class QuickCompressor(Compressor):
    """WhiteNoise's compressor (gzip and brotli, each kept only where it pays) with brotli
    at BROTLI_QUALITY."""

    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return brotli.compress(data, quality=BROTLI_QUALITY)


class QuickCompressedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names (cached forever by browsers), gzip and brotli copies from QuickCompressor."""

    def create_compressor(self, **kwargs: object) -> Compressor:
        return QuickCompressor(**kwargs)  # type: ignore[arg-type]

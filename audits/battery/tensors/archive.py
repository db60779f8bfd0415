"""An image or tensor set: a ZIP (``.zip`` or ``.npz``) with ``manifest.csv`` at its root.

The manifest is the set's table (one row per example: the member it names in its file column,
the label, metadata; io.py reads it like a CSV); the members are decoded only for the rows a
model scores. Everything is bounded before it is read (``TensorLimits``): the archive's bytes,
its member count, each member's unpacked bytes and compression ratio (from the ZIP directory;
zipfile never yields more than a member's declared size), and an image's pixels from its header
before any decoding. Member names are normalised and refused when they leave the root
(``..``, absolute, drive or backslash paths). ``.npy`` members load with allow_pickle=False.
Every refusal is a BatteryInputError naming the member and the reason.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import warnings
import zipfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import BatteryInputError, Problem
from ..location import located

MANIFEST = "manifest.csv"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
_RATIO_FLOOR = 1024**2  # members smaller than this are not judged by their compression ratio
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class TensorLimits:
    """How large an archive may be and unpack (battery option ``archive_limits``)."""

    archive_bytes: int = 4 * 1024**3
    members: int = 200_000
    member_bytes: int = 256 * 1024**2
    ratio: float = 100.0
    pixels: int = 40_000_000

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> TensorLimits:
        """Limits from options; unknown keys or non-positive values are refused by name."""
        data = data or {}
        known = {f.name for f in fields(cls)}
        for key, value in data.items():
            if key not in known:
                raise BatteryInputError(Problem(f"archive_limits.{key}", "unknown limit"))
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise BatteryInputError(Problem(f"archive_limits.{key}", "must be positive"))
        return cls(**data)


def is_archive(path: Path, magic: bytes) -> bool:
    """Whether a data file is an image / tensor archive (ZIP magic, .zip or .npz)."""
    return magic.startswith(b"PK\x03\x04") or path.suffix.lower() in (".zip", ".npz")


def normal_name(name: str) -> str:
    """A member name relative to the archive's root, or BatteryInputError when it leaves it."""
    if "\\" in name or name.startswith("/") or _DRIVE.match(name) or "\x00" in name:
        raise BatteryInputError(Problem(name, "member names must be relative POSIX paths"))
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../") or normal in ("", "."):
        raise BatteryInputError(Problem(name, "the member name leaves the archive's root"))
    return normal


class TensorArchive:
    """An opened archive whose directory was checked against ``limits``."""

    def __init__(self, path: str | Path, limits: TensorLimits = TensorLimits()):
        # a local path or an object in storage, whose members are read by ranged GETs
        self.location = located(path)
        self.limits = limits
        size = self.location.size() or 0
        if size > limits.archive_bytes:
            raise BatteryInputError(
                Problem(
                    "",
                    f"{self.location.name} has {size} bytes, over the limit of "
                    f"{limits.archive_bytes}",
                )
            )
        self._zip: zipfile.ZipFile | None = None
        self._pid = -1
        infos = self._archive().infolist()
        if len(infos) > limits.members:
            raise BatteryInputError(
                Problem(
                    "",
                    f"{self.location.name} holds {len(infos)} members, over the limit of "
                    f"{limits.members}",
                )
            )
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not info.is_dir():
                self._check(info)
                self.members[normal_name(info.filename)] = info
        if MANIFEST not in self.members:
            raise BatteryInputError(
                Problem(
                    "", f"{self.location.name} has no {MANIFEST} at its root (one row per file)"
                )
            )
        data = sorted(n for n in self.members if n != MANIFEST)
        self.images = bool(data) and data[0].lower().endswith(IMAGE_SUFFIXES)

    def manifest(self) -> pd.DataFrame:
        """The manifest as a table (every column as text; io.py infers the kinds)."""
        return pd.read_csv(io.BytesIO(self.read(MANIFEST)), skipinitialspace=True)

    def missing(self, names) -> list[Problem]:
        """A Problem for each (distinct) name the archive does not hold or that leaves it."""
        problems = []
        for name in dict.fromkeys(str(n) for n in names):
            try:
                normal = normal_name(name)
            except BatteryInputError as error:
                problems.extend(error.problems)
                continue
            if normal not in self.members or normal == MANIFEST:
                problems.append(Problem(name, "is named in the manifest but not in the archive"))
        return problems

    def read(self, name: str) -> bytes:
        """A member's bytes (at most its checked, declared size)."""
        normal = normal_name(name)
        info = self.members.get(normal)
        if info is None:
            raise BatteryInputError(
                Problem(name, "is named in the manifest but not in the archive")
            )
        try:
            return self._archive().read(info)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise BatteryInputError(Problem(name, f"cannot be unpacked: {error}")) from None

    def raw(self, names: list[str], indices: list[int] | None = None) -> list[np.ndarray]:
        """Each named member decoded: an image as H x W [x C] uint8 (uint16 for 16-bit), an
        ``.npy`` as its array, or ``array[index]`` when ``indices`` are given."""
        out = []
        for i, name in enumerate(names):
            array = self._decode(name)
            if indices is not None:
                index = indices[i]
                if not 0 <= index < len(array):
                    raise BatteryInputError(
                        Problem(name, f"has {len(array)} rows; index {index} is out of range")
                    )
                array = array[index]
            out.append(array)
        return out

    def _archive(self) -> zipfile.ZipFile:
        """The ZIP opened in this process (a forked worker must not share the file offset)."""
        if self._zip is None or self._pid != os.getpid():
            try:
                self._zip = zipfile.ZipFile(self.location.readable())
            except (zipfile.BadZipFile, OSError) as error:
                raise BatteryInputError(
                    Problem("", f"{self.location.name} is not a readable ZIP archive: {error}")
                ) from None
            self._pid = os.getpid()
        return self._zip

    def _check(self, info: zipfile.ZipInfo) -> None:
        limits, name = self.limits, info.filename
        if info.file_size > limits.member_bytes:
            raise BatteryInputError(
                Problem(
                    name,
                    f"unpacks to {info.file_size} bytes, over the limit of {limits.member_bytes}",
                )
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.ratio:
            raise BatteryInputError(
                Problem(
                    name,
                    f"is compressed {ratio:.0f} to 1, over the limit of "
                    f"{limits.ratio:g} (a decompression bomb)",
                )
            )

    def _decode(self, name: str) -> np.ndarray:
        data = self.read(name)
        if name.lower().endswith(".npy"):
            return _npy(name, data)
        return _image(name, data, self.limits.pixels)


def _npy(name: str, data: bytes) -> np.ndarray:
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:
        reason = "holds Python objects (pickled), which are never loaded"
        if "pickle" not in str(error):
            reason = f"is not a readable .npy file: {error}"
        raise BatteryInputError(Problem(name, reason)) from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise BatteryInputError(Problem(name, "must hold a numeric array"))
    return array


def _image(name: str, data: bytes, pixels: int) -> np.ndarray:
    """The decoded image, its size checked from the header before its pixels are read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > pixels:
                raise BatteryInputError(
                    Problem(
                        name,
                        f"is {width}x{height} pixels, over the limit of {pixels} (a pixel bomb)",
                    )
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BatteryInputError(
            Problem(name, "is too many pixels to decode (a pixel bomb)")
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise BatteryInputError(Problem(name, f"is not a decodable image: {error}")) from None
    if image.mode == "I;16" or image.mode.startswith("I;16"):
        return np.asarray(image, dtype=np.uint16)
    if image.mode not in ("L", "RGB"):
        return np.asarray(image.convert("L" if image.mode in ("1", "LA", "I", "F") else "RGB"))
    return np.asarray(image)

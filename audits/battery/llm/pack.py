"""The probe pack: versioned data shipped in ``probe_pack/``, never fetched at run time.

``MANIFEST.json`` lists every file with its sha256, licence and source; ``load_pack`` refuses a
pack whose files differ from it by one byte, or that holds a file it does not list. After editing
a file, put ``scan(PACK_DIR)``'s hash for it in the manifest and bump ``version``.
Harmful prompts (HarmBench's) travel inside probes as they must be sent, and are shown only
through ``mask``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import BatteryInputError, Problem

PACK_DIR = Path(__file__).with_name("probe_pack")
MANIFEST = "MANIFEST.json"


@dataclass(frozen=True)
class Pack:
    """A verified pack: its version, the manifest's own sha256 and each file's bytes by path."""

    version: str
    manifest_sha256: str
    files: dict[str, bytes]

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")

    def json(self, path: str):
        return json.loads(self.files[path])


def scan(root: Path) -> dict[str, str]:
    """Every file under ``root`` but the manifest, by POSIX path relative to it: its sha256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def load_pack(root: Path = PACK_DIR) -> Pack:
    """The pack at ``root``, verified against its manifest; BatteryInputError naming each file
    that is missing, unlisted or changed."""
    manifest_bytes = (root / MANIFEST).read_bytes()
    manifest = json.loads(manifest_bytes)
    listed = {path: entry["sha256"] for path, entry in manifest["files"].items()}
    found = scan(root)
    problems = [
        Problem(f"probe_pack/{path}", reason)
        for path, reason in sorted(
            [(p, "listed in MANIFEST.json but missing") for p in listed.keys() - found.keys()]
            + [(p, "not listed in MANIFEST.json") for p in found.keys() - listed.keys()]
            + [
                (p, "sha256 differs from MANIFEST.json: the file was changed")
                for p in listed.keys() & found.keys()
                if listed[p] != found[p]
            ]
        )
    ]
    if problems:
        raise BatteryInputError(problems)
    return Pack(
        version=manifest["version"],
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        files={path: (root / path).read_bytes() for path in listed},
    )


def mask(text: str, shown_words: int = 3) -> str:
    """A harmful prompt as it may be displayed: its first words (never more than half of them),
    the rest withheld, named by length and hash so a reviewer can tell prompts apart unread."""
    words = text.split()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    head = " ".join(words[: min(shown_words, len(words) // 2)])
    return f"{head} [masked: {len(text)} characters, sha256 {digest}]".lstrip()

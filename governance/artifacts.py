"""Accepting a model artifact without ever unpickling it. The rules that name an artifact's format
and load it (trusted types only, pickle refused) are the audit battery's; the registry cannot
import the audits app, so that app registers them at start-up (audits.apps) and here their
refusals become InvalidInput."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.storage import default_storage

from digests import file_sha256
from governance.errors import InvalidInput


class ArtifactRefused(Exception):
    """Raised by the registered rules: not a model Warden will load; the message says why."""


@dataclass(frozen=True)
class ArtifactRules:
    """``format_of(filename, head)`` names the format from the name and first bytes;
    ``check(path, artifact_format)`` loads the stored file as a model. Both raise
    ArtifactRefused."""

    format_of: Callable[[str, bytes], str]
    check: Callable[[str, str], None]


_registered: list[ArtifactRules] = []


def register_artifact_rules(rules: ArtifactRules) -> None:
    """Called once by the audits app at start-up (audits.apps: the battery's
    audits.artifact_rules.BATTERY_ARTIFACT_RULES)."""
    _registered[:] = [rules]


def artifact_rules_registered() -> ArtifactRules | None:
    """The rules the audits app registered, or None before it did."""
    return _registered[0] if _registered else None


def _rules() -> ArtifactRules:
    if not _registered:
        raise RuntimeError("no artifact rules are registered: is the audits app installed?")
    return _registered[0]


def artifact_format_detect(filename: str, head: bytes) -> str:
    """The artifact's format from its name and first bytes, or InvalidInput saying why not."""
    try:
        return _rules().format_of(filename, head)
    except ArtifactRefused as error:
        raise InvalidInput(str(error), field="artifact") from None


def artifact_check(path: str, artifact_format: str, filename: str) -> None:
    """The stored artifact loads as a model (trusted types only, a skops file within the archive
    limits), or InvalidInput saying why."""
    try:
        _rules().check(path, artifact_format)
    except ArtifactRefused as error:
        raise InvalidInput(f"{filename}: {error}", field="artifact") from None


def stored_sha256(name: str) -> str:
    """sha256 hex digest of a file as it is in storage now (OSError if it is gone)."""
    with default_storage.open(name, "rb") as handle:
        return file_sha256(handle)[0]

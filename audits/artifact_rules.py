"""The battery's artifact rules (audits/battery/artifacts.py) in the shape the registry asks for
(governance.artifacts.ArtifactRules): their refusals become ArtifactRefused naming the reason.
Registered at start-up by audits.apps, so the registry never imports the battery."""

from django.conf import settings

from audits.battery.artifacts import ArchiveLimits, ArtifactError, detect_format, open_artifact
from governance.artifacts import ArtifactRefused, ArtifactRules


def _format_of(filename: str, head: bytes) -> str:
    try:
        return detect_format(filename, head)
    except ArtifactError as error:
        raise ArtifactRefused(error.problems[0].reason) from None


def _check(path: str, artifact_format: str) -> None:
    """Load the stored file; a skops file must unpack within WARDEN_MAX_SKOPS_UNPACKED_BYTES and
    WARDEN_MAX_SKOPS_MEMBERS."""
    limits = ArchiveLimits(
        unpacked_bytes=settings.WARDEN_MAX_SKOPS_UNPACKED_BYTES,
        members=settings.WARDEN_MAX_SKOPS_MEMBERS,
    )
    try:
        open_artifact(path, artifact_format, limits)
    except ArtifactError as error:
        raise ArtifactRefused(error.problems[0].reason) from None


BATTERY_ARTIFACT_RULES = ArtifactRules(format_of=_format_of, check=_check)

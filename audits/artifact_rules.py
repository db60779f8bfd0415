"""The battery's artifact rules (audits/battery/artifacts.py) in the shape the registry asks for
(governance.artifacts.ArtifactRules): their refusals become ArtifactRefused naming the reason.
Registered at start-up by audits.apps, so the registry never imports the battery."""

from audits.battery.artifacts import ArtifactError, detect_format, open_artifact
from governance.artifacts import ArtifactRefused, ArtifactRules


def _format_of(filename: str, head: bytes) -> str:
    try:
        return detect_format(filename, head)
    except ArtifactError as error:
        raise ArtifactRefused(error.problems[0].reason) from None


def _check(path: str, artifact_format: str) -> None:
    try:
        open_artifact(path, artifact_format)
    except ArtifactError as error:
        raise ArtifactRefused(error.problems[0].reason) from None


BATTERY_ARTIFACT_RULES = ArtifactRules(format_of=_format_of, check=_check)

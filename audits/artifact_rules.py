"""The artifact kinds (DESIGN §11): one registry of openers, each saying what its kind can do, in
the shape the registry asks for (governance.artifacts.ArtifactRules). Refusals become
ArtifactRefused naming the reason. Registered at start-up by audits.apps, so the registry never
imports the battery; audits ask for a capability (`artifact_can`), never for a format."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from audits.battery import BatteryInputError
from audits.battery.artifacts import (
    PICKLE_MAGIC,
    ArchiveLimits,
    ArtifactError,
    detect_format,
    open_artifact,
)
from audits.battery.llm import endpoint
from audits.battery.location import located
from governance.artifacts import ArtifactRefused, ArtifactRules
from governance.models import ArtifactFormat

PREDICT, GRADIENTS, CHAT = "predict", "gradients", "chat"
# A descriptor is a few hundred bytes; anything past this is not one.
DESCRIPTOR_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class ArtifactKind:
    """``check(path)`` opens the stored file as its kind would be used (ArtifactRefused when it
    cannot be); ``capabilities`` is what an audit may ask of it."""

    check: Callable[[str], object]
    capabilities: frozenset[str]


def _model_check(artifact_format: str) -> Callable[[str], object]:
    def check(path: str) -> None:
        """Load the stored model; a skops file must unpack within
        WARDEN_MAX_SKOPS_UNPACKED_BYTES and WARDEN_MAX_SKOPS_MEMBERS."""
        limits = ArchiveLimits(
            unpacked_bytes=settings.WARDEN_MAX_SKOPS_UNPACKED_BYTES,
            members=settings.WARDEN_MAX_SKOPS_MEMBERS,
        )
        try:
            open_artifact(path, artifact_format, limits)
        except ArtifactError as error:
            raise ArtifactRefused(error.problems[0].reason) from None

    return check


def endpoint_load(path: str) -> endpoint.Endpoint:
    """The stored descriptor as a validated endpoint, its host in WARDEN_LLM_ENDPOINT_ALLOWLIST;
    ArtifactRefused naming every bad field. Read again on the worker before probing."""
    with located(path).open() as handle:  # a local path or an object in storage
        data = handle.read(DESCRIPTOR_MAX_BYTES + 1)
    if len(data) > DESCRIPTOR_MAX_BYTES:
        raise ArtifactRefused(f"an endpoint descriptor is at most {DESCRIPTOR_MAX_BYTES} bytes")
    try:
        return endpoint.load(data, settings.WARDEN_LLM_ENDPOINT_ALLOWLIST)
    except BatteryInputError as error:
        raise ArtifactRefused(
            "; ".join(f"{p.column}: {p.reason}" if p.column else p.reason for p in error.problems)
        ) from None


ARTIFACT_KINDS: dict[str, ArtifactKind] = {
    ArtifactFormat.SKOPS: ArtifactKind(_model_check("skops"), frozenset({PREDICT})),
    ArtifactFormat.ONNX: ArtifactKind(_model_check("onnx"), frozenset({PREDICT, GRADIENTS})),
    ArtifactFormat.LLM_ENDPOINT: ArtifactKind(endpoint_load, frozenset({CHAT})),
}


def artifact_can(artifact_format: str, capability: str) -> bool:
    """Whether an artifact of this kind can do ``capability`` (PREDICT, GRADIENTS, CHAT)."""
    kind = ARTIFACT_KINDS.get(artifact_format)
    return kind is not None and capability in kind.capabilities


def _format_of(filename: str, head: bytes) -> str:
    """A ``.json`` file is an endpoint descriptor; the rest is the battery's to name."""
    if filename.lower().endswith(".json") and not head.startswith(PICKLE_MAGIC):
        return ArtifactFormat.LLM_ENDPOINT
    try:
        return detect_format(filename, head)
    except ArtifactError as error:
        raise ArtifactRefused(error.problems[0].reason) from None


def _check(path: str, artifact_format: str) -> None:
    ARTIFACT_KINDS[artifact_format].check(path)


BATTERY_ARTIFACT_RULES = ArtifactRules(format_of=_format_of, check=_check)

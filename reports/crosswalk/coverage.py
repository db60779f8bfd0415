"""Coverage of a model (and version) by the controls of the frameworks its regulatory regimes
bring it under: each control satisfied, partial or missing, with the evidence behind it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from governance.models import MLModel, ModelVersion
from reports.crosswalk.catalogue import Control, Framework, catalogue
from reports.crosswalk.evidence import Coverage, Evidence, Need, combined
from reports.crosswalk.resolvers import Subject, resolve


@dataclass(frozen=True)
class ControlCoverage:
    control: Control
    status: Coverage
    evidence: tuple[tuple[Need, Evidence], ...]

    def to_json(self) -> dict[str, Any]:
        c = self.control
        return {
            "id": c.id,
            "ref": c.ref,
            "title": c.title,
            "summary": c.summary,
            "status": self.status.value,
            "evidence": [
                {"kind": need.kind, **({"check": need.check} if need.check else {}), **e.to_json()}
                for need, e in self.evidence
            ],
        }


@dataclass(frozen=True)
class FrameworkCoverage:
    framework: Framework
    controls: tuple[ControlCoverage, ...]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(c.status for c in self.controls)
        return {status.value: found[status] for status in Coverage}

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework.id,
            "title": self.framework.title,
            "counts": self.counts,
            "controls": [c.to_json() for c in self.controls],
        }


@dataclass(frozen=True)
class ModelCoverage:
    model: MLModel
    version: ModelVersion | None
    frameworks: tuple[FrameworkCoverage, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model.slug,
            "version": self.version.version if self.version else None,
            "regimes": list(self.model.regulatory_regimes),
            "frameworks": [f.to_json() for f in self.frameworks],
        }


def coverage_of(model: MLModel, version: ModelVersion | None = None) -> ModelCoverage:
    """The coverage of `version` (the model's newest when None) under every framework that
    applies to the model's regimes (a framework naming no regime applies to every model)."""
    subject = Subject(model, version)
    frameworks = tuple(
        FrameworkCoverage(framework, tuple(_control(subject, c) for c in framework.controls))
        for framework in catalogue()
        if framework.applies_to(list(model.regulatory_regimes))
    )
    return ModelCoverage(model, subject.version, frameworks)


def _control(subject: Subject, control: Control) -> ControlCoverage:
    found = tuple((need, resolve(subject, need)) for need in control.evidence)
    return ControlCoverage(control, combined([e.status for _, e in found]), found)

"""The run spec: what every chunk worker and the final merge need to know about one audit.

``spec.prepare`` builds it once; it is frozen, and crosses process boundaries (Celery, the fork
pool) only as ``to_json()`` / ``RunSpec.from_json(...)``. What cannot travel -- the opened data
sets (a DataFrame among them), the loaded model and the file hashes still being computed -- is
kept apart in ``local`` (``InProcess``), which ``to_json`` leaves out.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from . import io
from .model_adapters import Model
from .policy import POLICY, Policy

BATTERY_VERSION = "1.0.0"

# The roles of the files one run reads: the evaluation set, its reference, the training sample.
CURRENT, REFERENCE, TRAINING = "current", "reference", "training"


@dataclass
class InProcess:
    """The run's handles that live in this process only: opened sources by role, the model
    ``prepare`` loaded, and the sha256 of each file still being computed in the background."""

    sources: dict[str, io.Source] = field(default_factory=dict)
    model: Model | None = None
    pending_hashes: dict[str, Future[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DataSetSpec:
    """The reference set or the training sample: where it is, its rows and hash, and (for the
    reference) its chunk plan and the columns it shares with the evaluation set, with kinds."""

    source: dict[str, Any] | None
    rows: int
    sha256: str | None
    chunks: list[list[int]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": self.rows,
            "sha256": self.sha256,
            "chunks": self.chunks,
            "columns": self.columns,
            "kinds": self.kinds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DataSetSpec:
        return cls(**data)


@dataclass(frozen=True)
class ModelSpec:
    """The model artifact: its file, format and hash, the columns it reads, its classes and
    the kind of its per-class scores ("probability", "margin", or None when it gives none);
    for a tensor model, what its inputs are (``TensorModel.described``: shape, modality,
    resolved preprocessing), for the document."""

    path: str
    format: str
    sha256: str
    columns: list[str]
    classes: list[str]
    scores: str | None = None
    inputs: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "sha256": self.sha256,
            "columns": self.columns,
            "classes": self.classes,
            "scores": self.scores,
            "inputs": self.inputs,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelSpec:
        return cls(**data)


@dataclass(frozen=True)
class RunSpec:
    """One audit's plan: the resolved mapping, the task and its classes, the evaluation set's
    source, kinds, rows, hash and chunk plan, the tier and policy, the options, and the
    reference set, model and training sample when there are any, and where each prediction
    and score comes from (``outputs``: see scoring.py)."""

    battery_version: str
    task: str
    classes: list[str]
    positive: str | None
    prediction_source: str | None
    mapping: dict[str, Any]
    source: dict[str, Any] | None
    kinds: dict[str, str]
    rows: int
    chunks: list[list[int]]
    sha256: str | None
    tier: int
    policy: dict[str, str]
    options: dict[str, Any]
    reference: DataSetSpec | None = None
    model: ModelSpec | None = None
    training: DataSetSpec | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    # a stored policy version's JSON (Policy.to_json) to judge under; None: the built-in POLICY
    rules: dict[str, Any] | None = None
    local: InProcess = field(default_factory=InProcess, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for another process; hashes still being computed are null (chunk workers
        do not need them; ``resolved()`` first when the receiver finalizes)."""
        if self.source is None:
            raise ValueError("a spec built from a DataFrame cannot be sent to another process")
        return {
            "battery_version": self.battery_version,
            "task": self.task,
            "classes": self.classes,
            "positive": self.positive,
            "prediction_source": self.prediction_source,
            "mapping": self.mapping,
            "source": self.source,
            "kinds": self.kinds,
            "rows": self.rows,
            "chunks": self.chunks,
            "sha256": self.sha256,
            "tier": self.tier,
            "policy": self.policy,
            "options": self.options,
            "reference": self.reference.to_json() if self.reference else None,
            "model": self.model.to_json() if self.model else None,
            "training": self.training.to_json() if self.training else None,
            "outputs": self.outputs,
            "rules": self.rules,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSpec:
        """The spec ``to_json`` wrote (no in-process handles: files are opened again)."""
        reference, model, training = data["reference"], data["model"], data["training"]
        return cls(
            **{k: v for k, v in data.items() if k not in ("reference", "model", "training")},
            reference=DataSetSpec.from_json(reference) if reference else None,
            model=ModelSpec.from_json(model) if model else None,
            training=DataSetSpec.from_json(training) if training else None,
        )

    def judged_by(self) -> Policy:
        """The policy this run is judged under."""
        return Policy.from_json(self.rules) if self.rules else POLICY

    def resolved(self) -> RunSpec:
        """This spec with every file hash known: waits for those still being computed."""
        pending = self.local.pending_hashes
        if not pending:
            return self
        hashes = {role: future.result() for role, future in pending.items()}
        local = InProcess(self.local.sources, self.local.model)
        return replace(
            self,
            sha256=hashes.get(CURRENT, self.sha256),
            reference=_with_hash(self.reference, hashes.get(REFERENCE)),
            training=_with_hash(self.training, hashes.get(TRAINING)),
            local=local,
        )

    def kinds_of(self, role: str) -> dict[str, str]:
        """Each read column's kind ("numeric" or "categorical") in the current or reference set."""
        if role == CURRENT:
            return self.kinds
        if self.reference is None:
            raise ValueError("the spec has no reference set")
        return self.reference.kinds

    def source_of(self, role: str) -> io.Source:
        """The opened data set of a role: this process's handle, else opened from the spec."""
        if role in self.local.sources:
            return self.local.sources[role]
        part = {REFERENCE: self.reference, TRAINING: self.training}.get(role)
        described = self.source if role == CURRENT else (part.source if part else None)
        if described is None:
            raise ValueError(f"the spec has no {role} file to open")
        return io.Source.from_dict(described)


def _with_hash(part: DataSetSpec | None, sha256: str | None) -> DataSetSpec | None:
    return replace(part, sha256=sha256) if part is not None and sha256 is not None else part

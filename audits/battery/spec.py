"""Preparing a run: input checks, task detection and the run spec every chunk worker reads.

``prepare`` reads the header, streams the label / prediction / score columns once (all mapped
columns for CSV, to fix each column's kind), reports every problem it finds, and returns the
``RunSpec`` (run_spec.py): resolved mapping, task, classes, positive class, column kinds, row
counts, file hashes and the chunk plan of the data and reference sets.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from . import io, mapping, scoring
from .artifacts import ArtifactError, detect_format, open_artifact
from .errors import BatteryInputError, Problem
from .location import located
from .model_adapters import Model
from .policy import POLICY, VALIDATION, Policy, resolve_tier
from .profiling import kinds_from_profile, kinds_from_schema, profile
from .run_spec import (
    BATTERY_VERSION,
    CURRENT,
    REFERENCE,
    TRAINING,
    DataSetSpec,
    InProcess,
    ModelSpec,
    RunSpec,
)
from .task_kind import decide_task, positive_key
from .tensors.model import TensorModel
from .value_keys import counts_by_key

# Run options; the model checks' (from seed on) are documented in sampling.py and each check.
DEFAULT_OPTIONS = {
    "threshold": 0.5,
    "min_support": 30,
    "calibration_bins": 10,
    "seed": 0,
    "model_rows": 10_000,
    "noise_scales": [0.05, 0.1, 0.25, 0.5, 1.0],
    "epsilons": [0.05, 0.1, 0.25, 0.5, 1.0],
    "reference_epsilon": 0.1,
    "perturbed_share": 0.1,
    "attack_rows": 500,
    "black_box_rows": 20,
    "black_box_iterations": 5,
    # deep nets (tensors/attacks.py): fewer rows (each PGD step is a backward pass through the
    # net on a CPU), ε in input units, [0, 1] pixels for images
    "tensor_attack_rows": 100,
    "tensor_epsilons": [1 / 255, 2 / 255, 4 / 255, 8 / 255, 16 / 255],
    "tensor_l2_epsilons": [0.125, 0.25, 0.5, 1.0, 2.0],
    "tensor_reference_epsilon": 8 / 255,
    "importance_rows": 5_000,
    "importance_repeats": 5,
    "corruption_rows": 1_000,
    "corruption_severity": 3,
    "saliency_rows": 4,
    "archive_limits": None,  # tensors/archive.TensorLimits as JSON; None for the defaults
    "scope": VALIDATION,  # policy.BATCH for a monitor's production batch (policy.overall)
}


def inspect(
    data,
    raw_mapping: dict,
    *,
    task=None,
    header=True,
    na_values=None,
    rows_per_chunk=io.DEFAULT_CHUNK_ROWS,
) -> tuple[dict, list[Problem]]:
    """Problems with ``data`` under the mapping, and the spec fields they determine."""
    fields, _, problems = _inspect(data, raw_mapping, task, header, na_values, rows_per_chunk)
    return fields, problems


def _inspect(
    data, raw_mapping: dict, task, header, na_values, rows_per_chunk, limits=None
) -> tuple[dict, io.Source | None, list[Problem]]:
    """``inspect``, and the opened source the fields describe (an archive within ``limits``,
    the option ``archive_limits``)."""
    m = mapping.normalize(raw_mapping)
    source = io.open_source(data, header=header, na_values=na_values, limits=limits)
    problems = io.duplicate_columns(source)
    m, header_problems = mapping.resolve(m, source.columns, archive=source.format == "archive")
    problems += header_problems
    if problems:
        return {}, None, problems
    merged, chunks = profile(source, m, rows_per_chunk)
    if merged["rows"] == 0:
        return {}, None, [Problem("", "the file has no data rows")]
    if source.format == "archive":
        names = pd.concat(io.iter_chunks(source, [m["file"]], chunks, {m["file"]: "categorical"}))
        problems = source.archive().missing(names[m["file"]])
        if problems:
            return {}, None, problems
    cols = [c for c in mapping.columns_to_read(m) if c not in mapping.target_columns(m)]
    kinds = kinds_from_profile(merged) if source.textual else kinds_from_schema(source, cols)
    fields, problems = decide_task(m, merged, task)
    fields.update(
        source=_described(source),
        kinds={c: kinds[c] for c in cols},
        chunks=chunks,
        mapping=m,
    )
    return fields, source, problems


def _described(source: io.Source) -> dict[str, Any] | None:
    """The source's JSON form; None for a DataFrame, which cannot leave this process."""
    return source.to_dict() if source.format != "frame" else None


def prepare(
    data,
    raw_mapping: dict,
    *,
    reference=None,
    tier: int | None = None,
    task=None,
    header: bool = True,
    na_values=None,
    rows_per_chunk: int = io.DEFAULT_CHUNK_ROWS,
    data_sha256: str | None = None,
    reference_sha256: str | None = None,
    options: dict | None = None,
    model=None,
    model_format: str | None = None,
    model_sha256: str | None = None,
    train=None,
    train_sha256: str | None = None,
    policy: Policy | None = None,
) -> RunSpec:
    """The JSON-able run spec, or BatteryInputError listing every problem found.

    With ``model`` (a .skops or .onnx path; ``model_format`` names it when the file name does
    not) the model checks run too; it is loaded and tried on the first rows here, so a model
    that does not fit the data is bad input, not a failed check. ``train`` is a sample of the
    training data (CSV or Parquet with the label and the model's columns) for membership
    inference. A set without prediction, score and probability columns is scored by the model
    (scoring.py). ``policy`` (default the built-in POLICY) is the policy the run is judged under."""
    options = {**DEFAULT_OPTIONS, **(options or {})}
    fields, source, problems = _inspect(
        data, raw_mapping, task, header, na_values, rows_per_chunk, options["archive_limits"]
    )
    if problems or source is None:
        raise BatteryInputError(problems)
    m = fields["mapping"]
    m["positive_label"] = fields["positive"]
    if fields["task"] != "regression":
        m["classes"] = fields["classes"]
    local = InProcess(sources={CURRENT: source})
    if data_sha256 is None:
        local.pending_hashes[CURRENT] = io.sha256_later(source)
    spec = RunSpec(
        battery_version=BATTERY_VERSION,
        **fields,
        rows=source.rows or 0,
        sha256=data_sha256,
        tier=resolve_tier(tier),
        policy={"name": (policy or POLICY).name, "version": (policy or POLICY).version},
        rules=policy.to_json() if policy else None,
        options=options,
        local=local,
    )
    parts: dict[str, Any] = {}
    if model is not None:
        declared = mapping.normalize(raw_mapping)["classes"]
        local.model, parts["model"] = _prepare_model(
            model, model_format, model_sha256, spec, declared
        )
    if train is not None:
        if model is None:
            raise BatteryInputError(Problem("", "a training sample needs a model (--model)"))
        if isinstance(local.model, TensorModel):
            raise BatteryInputError(
                Problem(
                    "",
                    "membership inference on image / tensor models is not supported; "
                    "run without a training sample",
                )
            )
        parts["training"] = _prepare_training(
            train, parts["model"], m, header, na_values, train_sha256, local
        )
    if reference is not None:
        parts["reference"] = _prepare_reference(
            reference, m, fields["kinds"], header, na_values, rows_per_chunk, reference_sha256,
            local,
        )  # fmt: skip
    return _with_outputs(replace(spec, **parts))


def _with_outputs(spec: RunSpec) -> RunSpec:
    """The spec with where its outputs come from (scoring.py); when from the artifact, the
    model may predict only classes the spec knows."""
    model = spec.local.model
    spec = replace(spec, outputs=scoring.outputs_of(spec))
    if model is None or not scoring.from_artifact(spec, "prediction"):
        return spec
    problem = _unknown_classes(model.classes, spec.classes)
    if problem:
        raise BatteryInputError(problem)
    return replace(spec, prediction_source=scoring.ARTIFACT)


def _unknown_classes(predicted: list[str], classes: list[str]) -> Problem | None:
    """The problem when a model that is to score the rows predicts a class they lack."""
    unknown = [c for c in predicted if c not in classes]
    if not unknown:
        return None
    return Problem(
        "classes",
        f"the model predicts {unknown[:5]}, not among the labels; declare every class in the "
        "mapping's classes (--classes)",
    )


def _prepare_model(
    path, fmt: str | None, sha: str | None, spec: RunSpec, declared: list[str] | None
) -> tuple[Model, ModelSpec]:
    """The loaded model and its spec entry; a model that does not fit the data is bad input.
    A tensor model takes the mapping's ``declared`` classes (else its own)."""
    path = str(path)
    source = spec.source_of(CURRENT)
    model, fmt, first = _fitting_model(path, fmt, source, spec.mapping, spec.kinds, declared)
    if not set(model.classes) & set(spec.classes):
        label = spec.mapping["label"]
        raise BatteryInputError(
            Problem(label, f"no label value is a class of the model ({model.classes[:5]})")
        )
    entry = ModelSpec(
        path=path,
        format=fmt,
        sha256=sha or io.source_sha256(io.Source(path, fmt, [])),
        columns=model.columns,
        classes=model.classes,
        scores=scored[1] if (scored := model.scores(first)) else None,
        inputs=model.described() if isinstance(model, TensorModel) else None,
    )
    return model, entry


def _fitting_model(
    path: str,
    fmt: str | None,
    source: io.Source,
    m: dict,
    kinds: dict,
    declared: list[str] | None = None,
) -> tuple[Model, str, pd.DataFrame]:
    """The model loaded, bound to the data set's columns (a tensor model also to its archive,
    with the ``declared`` classes), and the first rows it was tried on."""
    try:
        head = located(path).head(8)
    except OSError as error:
        raise ArtifactError(f"cannot read {path}: {error.strerror or error}") from None
    fmt = fmt or detect_format(path, head)
    model = scoring.for_run(open_artifact(path, fmt), source, m, declared)
    problems = model.bind(mapping.model_inputs(m), source.columns, kinds)
    if problems:
        raise BatteryInputError(problems)
    dtypes = {c: kinds[c] for c in model.columns if c in kinds}
    first = io.read_chunk(source, model.columns, 0, min(source.rows or 8, 8), dtypes)
    try:
        model.predict(first)
    except Exception as error:  # whatever the model raises on these rows is the user's to fix
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ArtifactError(
            f"the model could not score the first rows of the data: {reason}"
        ) from None
    if not model.classes:
        raise ArtifactError("the model names no classes (a classifier is needed)")
    return model, fmt, first


def model_problems(
    model, model_format: str | None, data: str, raw_mapping: dict, archive_limits=None
) -> list[Problem]:
    """Whether a model fits a Parquet data set, reading only its schema, first rows and (when
    the model is to score a set without outputs) its labels, or an image / tensor archive (its
    manifest profiled as ``prepare`` does, under ``archive_limits``): every problem found, []
    when it fits (for a request to be refused before any work is queued)."""
    source = io.open_source(data, limits=archive_limits)
    if source.format == "archive":
        options = {"archive_limits": archive_limits}
        try:
            prepare(data, raw_mapping, model=model, model_format=model_format, options=options)
        except BatteryInputError as error:
            return error.problems
        return []
    source.rows = located(source.file()).parquet().metadata.num_rows
    m, problems = mapping.resolve(mapping.normalize(raw_mapping), source.columns)
    if problems:
        return problems
    kinds = kinds_from_schema(source, [c for c in m["features"] if c in source.columns])
    try:
        loaded = _fitting_model(str(model), model_format, source, m, kinds)[0]
    except BatteryInputError as error:
        return error.problems
    if m["prediction"] or m["score"] or m["probabilities"]:
        return []
    parquet = located(source.file()).parquet()
    labels = m["classes"] or list(counts_by_key(parquet.read(columns=[m["label"]])
                                                .column(0).to_pandas()))  # fmt: skip
    if m["positive_label"] is not None:
        labels = [*labels, positive_key(m["positive_label"])]
    problem = _unknown_classes(loaded.classes, labels)
    return [problem] if problem else []


def _prepare_training(
    train, model: ModelSpec, m: dict, header, na_values, sha: str | None, local: InProcess
) -> DataSetSpec:
    source = io.open_source(train, header=header, na_values=na_values)
    needed = [*model.columns, m["label"]]
    problems = [
        Problem(c, "is needed in the training sample but not found in it")
        for c in dict.fromkeys(needed)
        if c not in source.columns
    ]
    if problems:
        raise BatteryInputError(problems)
    if source.textual:
        source.rows = sum(len(f) for f in io.iter_chunks(source, needed[-1:], [[0, 1 << 18]]))
    elif source.format == "parquet":
        source.rows = located(source.file()).parquet().metadata.num_rows
    if not source.rows:
        raise BatteryInputError(Problem("", "the training sample has no data rows"))
    return _data_set(TRAINING, source, sha, local)


def _data_set(
    role: str, source: io.Source, sha: str | None, local: InProcess, **plan: Any
) -> DataSetSpec:
    """A role's spec entry; its source kept in this process, its hash computed meanwhile."""
    local.sources[role] = source
    if sha is None:
        local.pending_hashes[role] = io.sha256_later(source)
    return DataSetSpec(source=_described(source), rows=source.rows or 0, sha256=sha, **plan)


def _prepare_reference(
    reference, m, kinds, header, na_values, rows_per_chunk, sha: str | None, local: InProcess
) -> DataSetSpec:
    source = io.open_source(reference, header=header, na_values=na_values)
    problems = [Problem(p.column, p.reason + " (reference)") for p in io.duplicate_columns(source)]
    if problems:
        raise BatteryInputError(problems)
    wanted = [c for c in [*kinds, m["prediction"], m["score"], *(m["probabilities"] or [])] if c]
    present = [c for c in dict.fromkeys(wanted) if c in source.columns]
    if source.textual:
        only_columns: dict[str, Any] = dict.fromkeys(mapping.KEYS) | {"sensitive": [], "slices": []}
        merged, chunks = profile(source, {**only_columns, "features": present}, rows_per_chunk)
        ref_kinds = kinds_from_profile(merged)
    else:
        chunks = io.plan_chunks(source, rows_per_chunk)
        ref_kinds = kinds_from_schema(source, present)
    if not source.rows:
        raise BatteryInputError(Problem("", "the reference file has no data rows"))
    return _data_set(REFERENCE, source, sha, local, chunks=chunks, columns=present, kinds=ref_kinds)


def validate(
    data,
    raw_mapping: dict,
    *,
    reference=None,
    task: str | None = None,
    header: bool = True,
    na_values=None,
) -> list[Problem]:
    """Every problem found in ``data`` (path or DataFrame) under ``mapping``; [] when it is sound.

    Reads the header and the label / prediction / score columns (all mapped columns for CSV).
    Never raises for bad input: an unreadable or empty file is a problem in the list too.
    """
    try:
        _, problems = inspect(data, raw_mapping, task=task, header=header, na_values=na_values)
    except BatteryInputError as exc:
        return exc.problems
    if not problems and reference is not None:
        try:
            prepare(
                data,
                raw_mapping,
                reference=reference,
                task=task,
                header=header,
                na_values=na_values,
            )
        except BatteryInputError as exc:
            return exc.problems
    return problems

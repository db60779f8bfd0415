"""The audit battery: pure Python + numpy / pandas / pyarrow / SciPy, no Django (DESIGN.md §5).

Entry points (all documented on the functions):

- ``validate(data, mapping, *, reference=None, task=None, header=True, na_values=None)
  -> list[Problem]`` -- every problem with the input (``Problem.column``, ``Problem.reason``,
  ``str(problem)`` a one-line message); [] when it is sound.
- ``run(data, mapping, *, reference=None, tier=None, task=None, progress=None, header=True,
  na_values=None, rows_per_chunk=262144, data_sha256=None, reference_sha256=None,
  options=None, workers=1) -> dict`` -- the sealed result document
  (contracts/audit-result.schema.json), or ``BatteryInputError`` (one-line ``str``,
  ``.problems``) on bad input; ``workers > 1`` forks that many local processes;
  ``progress(event)`` gets ``{"stage": "chunk", "role", "done", "total"}`` per chunk and
  ``{"stage": "check", "id", "status", "done", "total"}`` per check. A check that raises is
  reported with status "error"; the others complete.
- Distributed runs (the same code path as ``run``):
  ``spec = prepare(data, mapping, reference=..., tier=..., rows_per_chunk=...)`` (a frozen
  ``RunSpec``); ``wire = spec.resolved().to_json()`` (plain JSON for Celery) and
  ``spec = RunSpec.from_json(wire)`` in any process;
  ``chunks(spec, "current" | "reference") -> [[start, stop], ...]``;
  ``chunk_statistics(spec, role, chunk) -> dict`` (plain JSON);
  ``merge_statistics([states in chunk order]) -> dict``;
  ``finalize(spec, merged_current, merged_reference) -> document``.
- Model artifacts: ``run(..., model=PATH, train=PATH)`` adds the model checks (robustness, or
  corruption for a deep net, adversarial, privacy, explainability; see checks/ and
  sampling.py); a set without prediction, score and probability columns is scored by the model
  chunk by chunk, and one with them is compared with it (consistency; see scoring.py);
  artifacts.py opens skops and ONNX files and refuses pickle;
  ``model_problems(model, fmt, parquet, mapping)`` says whether a model fits a data set from its
  schema and first rows.
- Images and tensors: ``data`` may be a ZIP (or .npz) with ``manifest.csv`` at its root, the
  manifest being the set's table, for an ONNX deep net (``tensors/``: archive.py,
  preprocessing.py, model.py); the mapping keys ``file``, ``index``, ``preprocessing`` and
  ``modality`` describe it, and ``options["archive_limits"]`` bounds it.
- ``CHECKS`` (id -> check), ``policy.POLICY`` (the built-in versioned tier table; a stored
  version is ``Policy.from_json(...)``, strict, ``PolicyError`` naming the field, and
  ``prepare(..., policy=...)`` judges a run under it), ``rejudge(document, policy)`` (the
  same measurements judged under another policy, newly sealed), the command line
  ``python -m audits.battery`` (see ``cli.py``).

Exactness: counts, sums and confusion matrices are exact. Numeric distributions and scores are
sketched (stats/sketch.py): exact while a column has at most 4,096 distinct values, otherwise KS,
Wasserstein, ROC AUC and average precision come with a computed ``*_error_bound``. Duplicate rows
are exact up to 65,536 distinct rows, then estimated from a hash sample (stats/merge.py). The
same input and chunk plan give the same bytes; floats are rounded to 12 significant digits.
Only the columns the mapping names (features default to all the others) are read or reported.
"""

from .accumulation import chunk_statistics, chunks, merge_statistics
from .checks import CHECKS
from .errors import BatteryInputError, Problem
from .policy import POLICY, Policy
from .policy_json import PolicyError
from .rejudge import rejudge
from .run_spec import BATTERY_VERSION, RunSpec
from .runner import finalize, run
from .spec import model_problems, prepare, validate

__all__ = [
    "BATTERY_VERSION",
    "CHECKS",
    "POLICY",
    "BatteryInputError",
    "Policy",
    "PolicyError",
    "Problem",
    "RunSpec",
    "chunk_statistics",
    "chunks",
    "finalize",
    "merge_statistics",
    "model_problems",
    "prepare",
    "rejudge",
    "run",
    "validate",
]

"""Model artifacts, opened without ever unpickling them (DESIGN.md §5, §8).

Two formats are accepted: scikit-learn models saved with skops, loaded with trusted types only,
and ONNX models, run by onnxruntime (tabular, or deep nets over images and tensors: a single
float input of rank >= 3, see tensors/model.py). Pickle and joblib files, and PyTorch's .pt /
.pth / TorchScript archives (ZIPs of pickles, recognised by content too), are refused before a
byte of them is interpreted: unpickling runs whatever code the file names. A skops file naming
a type outside the trusted set is refused with every such type listed; ONNX files whose tensors
live in external files are refused wherever the tensor sits (an external path could point
anywhere on the server, and onnxruntime would read it relative to the worker's working
directory).

``detect_format(name, head)`` names the format from the file name and its first bytes;
``open_artifact(path, fmt)`` returns a ``model_adapters.Model`` (see model_adapters.py) or raises
``ArtifactError`` (a ``BatteryInputError``: exit 2 on the command line, 400 in the API).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import BatteryInputError, Problem
from .location import Location, located

PICKLE_EXTENSIONS = (".pkl", ".pickle", ".joblib", ".sav", ".dill")
TORCH_EXTENSIONS = (".pt", ".pth", ".ckpt")
EXPORT_ADVICE = (
    "pickle and joblib files can run arbitrary code when loaded, so Warden never loads them; "
    "export scikit-learn models with skops (skops.io.dump(model, 'model.skops')) or any model "
    "to ONNX (e.g. skl2onnx.to_onnx(model, X[:1]))"
)
TORCH_ADVICE = (
    "PyTorch .pt / .pth files and TorchScript archives hold pickles, which can run arbitrary "
    "code when loaded, so Warden never loads them; export the network to ONNX with "
    "torch.onnx.export(model, example_input, 'model.onnx')"
)
ZIP_MAGIC = b"PK\x03\x04"
# Pickle protocol 2+ starts with PROTO (0x80); joblib's compressed pickles with zlib / gzip / xz.
PICKLE_MAGIC = (b"\x80", b"\x78\x9c", b"\x78\x01", b"\x78\xda", b"\x1f\x8b", b"\xfd7zXZ")

# Types skops does not trust by default that Warden has reviewed: plain data holders of fitted
# scikit-learn estimators, which carry arrays and numbers and run no code of their own on load.
# Anything else in a skops file is refused and named.
REVIEWED_SKOPS_TYPES = frozenset(
    {
        "numpy.dtype",
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.HalfSquaredError",
    }
)


@dataclass(frozen=True)
class ArchiveLimits:
    """How far a skops file (a ZIP) may unpack: its members' declared sizes together, and their
    count. Checked from the ZIP's directory before any member is read; a member never yields
    more than its declared size (zipfile stops there), so the bound is exact."""

    unpacked_bytes: int = 1024**3
    members: int = 10_000


class ArtifactError(BatteryInputError):
    """The artifact cannot be used: its message names the problem (field "artifact")."""

    def __init__(self, reason: str, column: str = "artifact"):
        super().__init__(Problem(column, reason))


def detect_format(name: str, head: bytes) -> str:
    """ "skops" or "onnx" from the file name and its first bytes, or ArtifactError saying why not.

    Pickle is recognised by extension and by magic bytes, whatever the file is called.
    """
    lowered = name.lower()
    if lowered.endswith(TORCH_EXTENSIONS):
        raise ArtifactError(f"{name}: {TORCH_ADVICE}")
    if lowered.endswith(PICKLE_EXTENSIONS) or head.startswith(PICKLE_MAGIC):
        raise ArtifactError(f"{name}: {EXPORT_ADVICE}")
    if not head:
        raise ArtifactError(f"{name}: the file is empty")
    if lowered.endswith(".skops"):
        if not head.startswith(ZIP_MAGIC):
            raise ArtifactError(f"{name}: not a skops file (a skops file is a ZIP archive)")
        return "skops"
    if lowered.endswith(".onnx"):
        if head.startswith(ZIP_MAGIC):
            raise ArtifactError(f"{name}: a ZIP archive, not an ONNX model; {TORCH_ADVICE}")
        return "onnx"
    raise ArtifactError(f"{name}: unsupported artifact; give a .skops or .onnx file")


def skops_archive_check(path: str | Path, limits: ArchiveLimits) -> None:
    """Refuse a skops file that would unpack past ``limits`` (a decompression bomb), reading
    only the ZIP's directory."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ArtifactError(f"not a readable skops file: {_first_line(error)}") from None
    if len(members) > limits.members:
        raise ArtifactError(
            f"the skops file holds {len(members)} members, over the limit of {limits.members}"
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_bytes:
        raise ArtifactError(
            f"the skops file unpacks to {unpacked} bytes, over the limit of {limits.unpacked_bytes}"
        )


def skops_types(path: str | Path, limits: ArchiveLimits) -> tuple[list[str], list[str]]:
    """The types a skops file names beyond skops' defaults: (reviewed by Warden, untrusted).

    Reads only the file's schema, once the archive is known to unpack within ``limits``;
    nothing in it is constructed."""
    import zipfile

    from skops.io import get_untrusted_types

    skops_archive_check(path, limits)
    try:
        found = set(get_untrusted_types(file=path))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise ArtifactError(f"not a readable skops file: {_first_line(error)}") from None
    return sorted(found & REVIEWED_SKOPS_TYPES), sorted(found - REVIEWED_SKOPS_TYPES)


def torch_archive_check(path: str | Path) -> None:
    """Refuse a ZIP that holds pickles (a PyTorch or TorchScript archive: ``data.pkl``,
    ``constants.pkl``, any ``*.pkl``), whatever the file is called, from its directory only."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return  # not a readable ZIP: the format's own loader says why
    pickled = [n for n in names if n.lower().endswith(PICKLE_EXTENSIONS)]
    if pickled:
        raise ArtifactError(f"the file holds pickled members ({pickled[0]}): {TORCH_ADVICE}")


def open_artifact(path: str | Path | Location, fmt: str, limits: ArchiveLimits = ArchiveLimits()):
    """The loaded model (a ``model_adapters.SklearnModel`` or ``OnnxModel``, or a
    ``tensors.model.TensorModel`` for an ONNX graph over images or tensors), or ArtifactError.

    ``fmt`` is the format ``detect_format`` named when the file was accepted; a skops file
    must unpack within ``limits``; a ZIP holding pickles (PyTorch, TorchScript) is refused.
    An artifact in object storage is copied to a temporary file while it loads (the loaders
    take a file; artifacts are small beside evaluation sets) and the model kept in memory."""
    location = located(path)
    try:
        with location.local_file() as local:
            return _open_local(Path(local), fmt, limits)
    except OSError as error:
        raise ArtifactError(f"cannot read {location.name}: {error.strerror or error}") from None


def _open_local(path: Path, fmt: str, limits: ArchiveLimits):
    from .model_adapters import OnnxModel, SklearnModel
    from .tensors.model import TensorModel, tensor_input

    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        torch_archive_check(path)
    if detect_format(f"model.{fmt}", head) == "skops":
        return SklearnModel(_load_skops(path, limits))
    proto = _load_onnx(path)
    shape = tensor_input(proto)
    return OnnxModel(proto) if shape is None else TensorModel(proto, shape)


def _load_skops(path: Path, limits: ArchiveLimits):
    from skops.io import load

    reviewed, untrusted = skops_types(path, limits)
    if untrusted:
        raise ArtifactError(
            "the skops file holds types Warden does not trust, so it was not loaded: "
            + ", ".join(untrusted)
        )
    try:
        model = load(path, trusted=reviewed)
    except Exception as error:  # skops raises many kinds on a damaged file
        raise ArtifactError(f"the skops file could not be loaded: {_first_line(error)}") from None
    if not callable(getattr(model, "predict", None)):
        raise ArtifactError(f"the skops file holds a {type(model).__name__}, not a model")
    return model


def _load_onnx(path: Path):
    """The ONNX model parsed from the file's bytes (never from its path, so nothing inside can
    resolve a file beside it), refused if any tensor anywhere in it keeps its data outside."""
    import onnx
    from google.protobuf.message import DecodeError

    invalid = (DecodeError, onnx.checker.ValidationError, ValueError, RuntimeError)
    try:
        proto = onnx.load_from_string(path.read_bytes())
    except invalid as error:
        raise ArtifactError(f"not a valid ONNX model: {_first_line(error)}") from None
    if any(_is_external(tensor) for tensor in _tensors(proto)):
        raise ArtifactError("the ONNX model keeps tensors in external files; embed them")
    try:
        onnx.checker.check_model(proto)
    except invalid as error:
        raise ArtifactError(f"not a valid ONNX model: {_first_line(error)}") from None
    return proto


def _tensors(proto) -> Iterator:
    """Every tensor the model holds: initializers (dense and sparse) and tensor attributes of
    every node, in the main graph, in every subgraph (If, Loop, Scan, any graph attribute) and
    in the model's local functions."""
    graphs = [proto.graph]
    nodes = [node for function in proto.functions for node in function.node]
    while graphs:
        graph = graphs.pop()
        yield from graph.initializer
        for sparse in graph.sparse_initializer:
            yield from (sparse.values, sparse.indices)
        nodes.extend(graph.node)
        while nodes:
            for attribute in nodes.pop().attribute:
                yield from _attribute_tensors(attribute)
                graphs.extend(_attribute_graphs(attribute))


def _attribute_tensors(attribute) -> Iterator:
    sparse = [*attribute.sparse_tensors]
    if attribute.HasField("sparse_tensor"):
        sparse.append(attribute.sparse_tensor)
    if attribute.HasField("t"):
        yield attribute.t
    yield from attribute.tensors
    for tensor in sparse:
        yield from (tensor.values, tensor.indices)


def _attribute_graphs(attribute) -> list:
    return [*([attribute.g] if attribute.HasField("g") else []), *attribute.graphs]


def _is_external(tensor) -> bool:
    """Data kept elsewhere, by the data_location flag or by external_data entries alone."""
    import onnx

    return tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data) > 0


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def loaders_import() -> None:
    """Import the artifact loaders' pure-Python libraries now (onnx, skops): a web server that
    forks its workers calls it first, so no worker spends its first audit request on the
    imports (half a second for onnx alone, seen in bench/e2e_bench.py). Not onnxruntime:
    imported before a fork, it left gunicorn's forked workers hanging at shutdown."""
    import onnx  # noqa: F401
    import skops.io  # noqa: F401

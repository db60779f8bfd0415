"""Model artifacts the battery refuses: pickle (its payload never runs), untrusted skops types,
models that do not fit the data, damaged files. Each is exit 2 with one line naming the problem."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from audits.battery.cli import main

FEATURES = ["a", "b", "c"]


class Payload:
    """Unpickling this calls os.system: it would create the marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class HomeMadeClassifier(LogisticRegression):
    """A class skops has never heard of: its file may carry anything."""


@pytest.fixture
def data_csv(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(300, 3)), columns=FEATURES)
    frame["y"] = (frame["a"] + frame["b"] > 0).astype(int)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame


def cli(data, model, capsys, *extra) -> tuple[int, str]:
    code = main(["--data", str(data), "--label", "y", "--features", *FEATURES,
                 "--model", str(model), *extra])  # fmt: skip
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", ["model.pkl", "model.joblib", "model.skops", "model.onnx"])
def test_a_pickle_is_refused_and_its_payload_never_runs(tmp_path, data_csv, capsys, name):
    marker = tmp_path / "payload-ran"
    artifact = tmp_path / name
    artifact.write_bytes(pickle.dumps(Payload(str(marker))))
    pickle.loads(pickle.dumps(Payload(str(tmp_path / "control"))))  # the payload is real...
    assert (tmp_path / "control").exists()
    code, err = cli(data_csv[0], artifact, capsys)
    assert code == 2 and "skops" in err and "ONNX" in err and "pickle" in err
    assert not marker.exists()  # ...and the battery never ran it


def test_a_skops_file_with_an_untrusted_type_is_refused_naming_it(tmp_path, data_csv, capsys):
    path, frame = data_csv
    model = HomeMadeClassifier().fit(frame[FEATURES].to_numpy(), frame["y"])
    skops.io.dump(model, tmp_path / "m.skops")
    code, err = cli(path, tmp_path / "m.skops", capsys)
    assert code == 2
    assert "does not trust" in err and "HomeMadeClassifier" in err, err


def test_a_model_with_another_feature_count_is_refused(tmp_path, data_csv, capsys):
    path, frame = data_csv
    model = LogisticRegression().fit(frame[["a", "b"]].to_numpy(), frame["y"])
    skops.io.dump(model, tmp_path / "m.skops")
    code, err = cli(path, tmp_path / "m.skops", capsys)
    assert code == 2 and "takes 2 features but the mapping names 3" in err, err


def test_a_model_reading_a_column_the_set_lacks_is_refused(tmp_path, data_csv, capsys):
    path, frame = data_csv
    model = LogisticRegression().fit(frame[FEATURES].rename(columns={"c": "income"}), frame["y"])
    skops.io.dump(model, tmp_path / "m.skops")
    code, err = cli(path, tmp_path / "m.skops", capsys)
    assert code == 2 and "column 'income'" in err and "no such column" in err, err


def test_an_onnx_model_with_an_input_the_set_lacks_is_refused(tmp_path, data_csv, capsys):
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    path, frame = data_csv
    model = make_pipeline(StandardScaler(), LogisticRegression())
    model.fit(frame[FEATURES].to_numpy(np.float32), frame["y"])
    onnx_model = to_onnx(model, initial_types=[("X", FloatTensorType([None, 3]))])
    (tmp_path / "ok.onnx").write_bytes(onnx_model.SerializeToString())
    assert cli(path, tmp_path / "ok.onnx", capsys)[0] in (0, 1)  # one tensor input: fits
    renamed = to_onnx(  # one input per column, and one of them is misnamed
        column_wise(model),
        initial_types=[(n, FloatTensorType([None, 1])) for n in ("a", "b", "colour")],
    )
    (tmp_path / "m.onnx").write_bytes(renamed.SerializeToString())
    code, err = cli(path, tmp_path / "m.onnx", capsys)
    assert code == 2 and "column 'colour'" in err and "ONNX model has an input" in err, err


def column_wise(model):
    """``model`` behind a ColumnTransformer that takes each feature as its own ONNX input."""
    from sklearn.compose import ColumnTransformer

    columns = ColumnTransformer([("all", "passthrough", ["a", "b", "colour"])])
    frame = pd.DataFrame(np.zeros((4, 3), np.float32), columns=["a", "b", "colour"])
    wrapped = make_pipeline(columns, model[-1])
    wrapped[0].fit(frame)
    return wrapped


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.skops", b"PK\x03\x04 but then nothing a ZIP holds", "not a readable skops file"),
        ("m.onnx", bytes(range(256)) * 4, "not a valid ONNX model"),
        ("m.onnx", b"", "the file is empty"),
        ("m.bin", b"\x00\x01", "unsupported artifact"),
    ],
)
def test_a_damaged_or_unknown_file_is_refused(tmp_path, data_csv, capsys, name, content, message):
    (tmp_path / name).write_bytes(content)
    code, err = cli(data_csv[0], tmp_path / name, capsys)
    assert code == 2 and message in err, err


def test_an_onnx_model_keeping_tensors_in_external_files_is_refused(tmp_path, data_csv, capsys):
    """An external tensor names a path to read: it could be any file on the server."""
    import onnx
    from onnx.external_data_helper import set_external_data
    from skl2onnx import to_onnx
    from sklearn.neural_network import MLPClassifier

    path, frame = data_csv
    model = MLPClassifier((4,), max_iter=20).fit(frame[FEATURES].to_numpy(np.float32), frame["y"])
    proto = to_onnx(model, frame[FEATURES].to_numpy(np.float32)[:1])
    tensor = proto.graph.initializer[0]
    tensor.raw_data = np.asarray(tensor.float_data, np.float32).tobytes()
    tensor.ClearField("float_data")
    set_external_data(tensor, location="weights.bin")
    tensor.data_location = onnx.TensorProto.EXTERNAL
    onnx.save(proto, tmp_path / "m.onnx")
    code, err = cli(path, tmp_path / "m.onnx", capsys)
    assert code == 2 and "external files" in err, err


def test_a_training_sample_without_the_models_columns_is_refused(tmp_path, data_csv, capsys):
    path, frame = data_csv
    model = LogisticRegression().fit(frame[FEATURES], frame["y"])
    skops.io.dump(model, tmp_path / "m.skops")
    frame.drop(columns=["c"]).to_csv(tmp_path / "train.csv", index=False)
    code, err = cli(path, tmp_path / "m.skops", capsys, "--train", str(tmp_path / "train.csv"))
    assert code == 2 and "column 'c'" in err and "training sample" in err, err


SECRET = b"#!/usr/bin/env python top secret bytes"


def _external(name: str, location: str):
    """A tensor of 8 bytes whose data onnxruntime would read from `location`."""
    import onnx

    tensor = onnx.TensorProto(name=name, data_type=onnx.TensorProto.UINT8, dims=[8])
    tensor.data_location = onnx.TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "8")):
        tensor.external_data.add(key=key, value=value)
    return tensor


def _model(nodes, inputs, outputs, **graph):
    from onnx import helper

    body = helper.make_graph(nodes, "g", inputs, outputs, **graph)
    return helper.make_model(body, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def _bytes_out(name: str):
    from onnx import TensorProto, helper

    return helper.make_tensor_value_info(name, TensorProto.UINT8, [8])


def _constant(output: str, location: str):
    from onnx import helper

    return helper.make_node("Constant", [], [output], value=_external("w", location))


def if_branch_model(location: str):
    """An If whose then-branch holds the external constant: it reaches the output when run."""
    from onnx import TensorProto, helper

    then = helper.make_graph([_constant("t", location)], "then", [], [_bytes_out("t")])
    zeros = helper.make_tensor("z", TensorProto.UINT8, [8], [0] * 8)
    otherwise = helper.make_graph(
        [helper.make_node("Constant", [], ["e"], value=zeros)], "else", [], [_bytes_out("e")]
    )
    branch = helper.make_node("If", ["c"], ["y"], then_branch=then, else_branch=otherwise)
    condition = helper.make_tensor_value_info("c", TensorProto.BOOL, [])
    return _model([branch], [condition], [_bytes_out("y")])


def loop_body_model(location: str):
    from onnx import TensorProto, helper

    info = helper.make_tensor_value_info
    body = helper.make_graph(
        [_constant("t", location), helper.make_node("Identity", ["cond"], ["cond_out"])],
        "body",
        [info("i", TensorProto.INT64, []), info("cond", TensorProto.BOOL, [])],
        [info("cond_out", TensorProto.BOOL, []), _bytes_out("t")],
    )
    loop = helper.make_node("Loop", ["n", "c"], ["y"], body=body)
    inputs = [info("n", TensorProto.INT64, []), info("c", TensorProto.BOOL, [])]
    return _model([loop], inputs, [info("y", TensorProto.UINT8, [None, 8])])


def sparse_initializer_model(location: str):
    from onnx import TensorProto, helper

    indices = helper.make_tensor("idx", TensorProto.INT64, [8], list(range(8)))
    sparse = helper.make_sparse_tensor(_external("s", location), indices, [8])
    node = helper.make_node("Identity", ["s"], ["y"])
    return _model([node], [], [_bytes_out("y")], sparse_initializer=[sparse])


def constant_attribute_model(location: str):
    return _model([_constant("y", location)], [], [_bytes_out("y")])


EXTERNAL_PLACES = [if_branch_model, loop_body_model, sparse_initializer_model,
                   constant_attribute_model]  # fmt: skip


def test_onnxruntime_would_read_an_if_branchs_external_file(tmp_path, monkeypatch):
    """The danger the refusals below prevent is real: the file's bytes come out as outputs."""
    import onnxruntime

    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret_key").write_bytes(SECRET)
    model = if_branch_model("secret_key").SerializeToString()
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    assert bytes(session.run(None, {"c": np.array(True)})[0]) == SECRET[:8]


@pytest.mark.parametrize("build", EXTERNAL_PLACES, ids=lambda build: build.__name__)
def test_an_onnx_model_with_an_external_tensor_anywhere_is_refused(tmp_path, monkeypatch, build):
    from audits.battery.artifacts import ArtifactError, open_artifact

    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret_key").write_bytes(SECRET)
    (tmp_path / "m.onnx").write_bytes(build("secret_key").SerializeToString())
    with pytest.raises(ArtifactError) as refused:
        open_artifact(tmp_path / "m.onnx", "onnx")
    assert "external files" in str(refused.value)
    assert SECRET[:4].decode() not in str(refused.value)


@pytest.mark.parametrize("build", EXTERNAL_PLACES, ids=lambda build: build.__name__)
def test_a_missing_external_file_is_refused_in_the_same_words(tmp_path, monkeypatch, build):
    """Existing and missing files get one answer, so a refusal reveals nothing of the disk."""
    from audits.battery.artifacts import ArtifactError, open_artifact

    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret_key").write_bytes(SECRET)
    answers = []
    for location in ("secret_key", "no-such-file"):
        (tmp_path / "m.onnx").write_bytes(build(location).SerializeToString())
        with pytest.raises(ArtifactError) as refused:
            open_artifact(tmp_path / "m.onnx", "onnx")
        answers.append(str(refused.value))
    assert answers[0] == answers[1]


def zip_bomb(path, member_bytes: int, members: int = 1) -> None:
    """A .skops-named ZIP whose members are zeros: about 1 KB on disk per MB unpacked."""
    import zipfile

    block = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(members):
            with archive.open(f"member-{index}.npy", "w") as member:
                for _ in range(member_bytes // len(block)):
                    member.write(block)


def test_a_skops_zip_bomb_is_refused_before_a_byte_is_unpacked(tmp_path):
    import tracemalloc

    from audits.battery.artifacts import ArchiveLimits, ArtifactError, open_artifact

    zip_bomb(tmp_path / "bomb.skops", member_bytes=256 << 20)
    assert (tmp_path / "bomb.skops").stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ArtifactError) as refused:
            open_artifact(tmp_path / "bomb.skops", "skops", ArchiveLimits(unpacked_bytes=64 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"unpacks to {256 << 20} bytes" in str(refused.value)
    assert peak < 8 << 20  # nothing was decompressed


def test_a_skops_zip_with_too_many_members_is_refused(tmp_path):
    from audits.battery.artifacts import ArchiveLimits, ArtifactError, open_artifact

    zip_bomb(tmp_path / "many.skops", member_bytes=0, members=11)
    with pytest.raises(ArtifactError) as refused:
        open_artifact(tmp_path / "many.skops", "skops", ArchiveLimits(members=10))
    assert "11 members, over the limit of 10" in str(refused.value)

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

"""A loaded model seen through an evaluation set: the columns it reads, its predictions as class
keys (value_keys.py), its scores per class, and the numeric space attacks work in.

``bind(features, header, kinds)`` matches the model's inputs to the data set and lists every
mismatch (a feature count the model does not take, an input name the set lacks) as a Problem;
after it, ``columns`` are the data set's columns the model reads, in the model's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import Problem
from .value_keys import key_of


@dataclass
class AttackSpace:
    """The numbers a model's decision function sees for some rows, and how to query it there.

    ``predict(x)`` gives class indices into the model's ``classes``; ``gradients()`` builds an
    ART classifier with loss gradients (None when the model is not differentiable)."""

    x: np.ndarray
    predict: Callable[[np.ndarray], np.ndarray]
    gradients: Callable[[], object] | None
    description: str


def _keys(values) -> np.ndarray:
    """Class keys of raw predictions, each distinct value converted once (hashed, not sorted:
    a chunk holds hundreds of thousands of labels)."""
    codes, uniques = pd.factorize(np.asarray(values).reshape(-1))
    return np.asarray([key_of(v) for v in uniques], dtype=object)[codes]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dictionary-encoded (categorical) columns as plain objects, as models were trained on."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    return out


class Model:
    """What the checks ask of a model; subclasses adapt skops (scikit-learn) and ONNX models."""

    format = ""
    reads = "features"  # what its inputs are: "features" (columns) or "tensors" (tensors/)
    classes: list[str] = []
    columns: list[str] = []

    def bind(self, features: list[str], header: list[str], kinds: dict[str, str]) -> list[Problem]:
        """Match the model's inputs to the data set; every mismatch as a Problem."""
        raise NotImplementedError

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The predicted class key of each row."""
        raise NotImplementedError

    def scores(self, frame: pd.DataFrame) -> tuple[np.ndarray, str] | None:
        """Per-class scores in ``classes`` order and their kind ("probability" or "margin")."""
        raise NotImplementedError

    def outputs(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
        """Every row's predicted label (as the model gives it, or its class key) and per-class
        scores (None when it gives none), in as few passes as the model allows; what kind the
        scores are, ``scores`` says once (``ModelSpec.scores``)."""
        scored = self.scores(frame)
        return self.predict(frame), scored[0] if scored else None

    def attack_space(self, frame: pd.DataFrame) -> AttackSpace | None:
        """Where attacks run for these rows, or None when the model's inputs are not numbers."""
        raise NotImplementedError

    def one_hot(self, indices: np.ndarray) -> np.ndarray:
        """Class indices as rows of a one-hot matrix (ART's label format)."""
        return np.eye(len(self.classes))[indices]


class SklearnModel(Model):
    """A scikit-learn estimator or pipeline (loaded from skops)."""

    format = "skops"
    # Final estimators whose loss gradient ART computes (or gradients.py adds): FGSM / PGD apply.
    DIFFERENTIABLE = ("LogisticRegression", "LinearSVC", "SVC", "MLPClassifier")

    def __init__(self, estimator):
        self.estimator = estimator
        self.classes = [key_of(c) for c in getattr(estimator, "classes_", [])]
        self.columns = []
        self._named = False

    def bind(self, features, header, kinds):
        names = getattr(self.estimator, "feature_names_in_", None)
        if names is not None:
            self.columns, self._named = [str(n) for n in names], True
            return [
                Problem(n, "the model reads this column but the evaluation set has no such column")
                for n in self.columns
                if n not in header
            ]
        expected = getattr(self.estimator, "n_features_in_", None)
        if expected is not None and expected != len(features):
            return [
                Problem(
                    "features",
                    f"the model takes {expected} features but the mapping names "
                    f"{len(features)} ({', '.join(features[:6])}{', ...' * (len(features) > 6)})",
                )
            ]
        self.columns = list(features)
        return []

    def _inputs(self, frame: pd.DataFrame):
        frame = _plain(frame[self.columns])
        return frame if self._named else frame.to_numpy()

    def predict(self, frame):
        return _keys(self.estimator.predict(self._inputs(frame)))

    def scores(self, frame):
        if hasattr(self.estimator, "predict_proba"):
            return self.estimator.predict_proba(self._inputs(frame)), "probability"
        if hasattr(self.estimator, "decision_function"):
            margin = np.asarray(self.estimator.decision_function(self._inputs(frame)), float)
            return (np.column_stack([-margin, margin]) if margin.ndim == 1 else margin), "margin"
        return None

    def attack_space(self, frame):
        from sklearn.pipeline import Pipeline

        inputs = self._inputs(frame)
        final = self.estimator
        if isinstance(final, Pipeline):
            inputs, final = final[:-1].transform(inputs), final[-1]
            where = "the inputs of the pipeline's final estimator, after its preprocessing"
        else:
            where = "the model's input columns"
        if hasattr(inputs, "toarray"):
            inputs = inputs.toarray()
        try:
            x = np.asarray(inputs, dtype=np.float64)
        except (TypeError, ValueError):
            return None
        index = {key: i for i, key in enumerate(self.classes)}

        def predict(values: np.ndarray) -> np.ndarray:
            return np.asarray([index[k] for k in _keys(final.predict(values))])

        gradients = None
        if type(final).__name__ in self.DIFFERENTIABLE:
            from .gradients import gradient_classifier

            gradients = lambda: gradient_classifier(final)  # noqa: E731
        return AttackSpace(x=x, predict=predict, gradients=gradients, description=where)


class OnnxModel(Model):
    """A tabular ONNX model (rank-2 or named inputs; tensors/model.py takes images and tensors)
    run by onnxruntime on one CPU thread (deterministic, leaves cores free)."""

    format = "onnx"
    _TYPES = {
        "tensor(float)": np.float32,
        "tensor(double)": np.float64,
        "tensor(int64)": np.int64,
        "tensor(int32)": np.int32,
        "tensor(string)": object,
    }

    def __init__(self, proto):
        self.session = onnx_session(proto)
        self.inputs = self.session.get_inputs()
        outputs = self.session.get_outputs()
        self.label_output = outputs[0].name
        self.score_output = outputs[1].name if len(outputs) > 1 else None
        self.classes = _onnx_classes(proto)
        self.columns = []

    def bind(self, features, header, kinds):
        unknown = [i for i in self.inputs if i.type not in self._TYPES]
        if unknown:
            return [
                Problem(i.name, f"the ONNX input type {i.type} is not supported") for i in unknown
            ]
        if len(self.inputs) > 1:
            self.columns = [i.name for i in self.inputs]
            return [
                Problem(
                    i.name,
                    "the ONNX model has an input of this name but the evaluation set has "
                    "no such column",
                )
                for i in self.inputs
                if i.name not in header
            ]
        only = self.inputs[0]
        width = only.shape[1] if len(only.shape) == 2 else None
        if isinstance(width, int) and width != len(features):
            return [
                Problem(
                    "features",
                    f"the ONNX model's input '{only.name}' takes {width} features but the "
                    f"mapping names {len(features)}",
                )
            ]
        self.columns = list(features)
        return [
            Problem(c, f"the ONNX model's input '{only.name}' takes numbers; this column is not")
            for c in features
            if kinds.get(c, "numeric") != "numeric"
        ]

    def _feed(self, frame: pd.DataFrame) -> dict:
        if len(self.inputs) == 1:
            only = self.inputs[0]
            return {only.name: frame[self.columns].to_numpy(self._TYPES[only.type])}
        feed = {}
        for i in self.inputs:
            column = _plain(frame[[i.name]]).to_numpy()
            feed[i.name] = (
                column.astype(str)
                if self._TYPES[i.type] is object
                else column.astype(self._TYPES[i.type])
            )
        return feed

    def _run(self, feed: dict) -> tuple[np.ndarray, np.ndarray | None]:
        wanted = [self.label_output] + ([self.score_output] if self.score_output else [])
        outputs = self.session.run(wanted, feed)
        scores = outputs[1] if len(outputs) > 1 else None
        if isinstance(scores, list):  # a ZipMap: one {class: probability} per row
            keys = list(scores[0]) if scores else []
            self.classes = self.classes or [key_of(k) for k in keys]
            scores = np.asarray([[row[k] for k in keys] for row in scores], dtype=np.float64)
        return np.asarray(outputs[0]).reshape(-1), scores

    def predict(self, frame):
        return _keys(self._run(self._feed(frame))[0])

    def scores(self, frame):
        return self._kind(self._run(self._feed(frame))[1])

    def outputs(self, frame):
        labels, scores = self._run(self._feed(frame))  # one session run for both outputs
        if scores is None or scores.ndim != 2 or scores.shape[1] != len(self.classes):
            return labels, None
        return labels, scores.astype(np.float64)

    def _kind(self, scores: np.ndarray | None) -> tuple[np.ndarray, str] | None:
        """The per-class scores with their kind, or None when they are not one per class."""
        if scores is None or scores.ndim != 2 or scores.shape[1] != len(self.classes):
            return None
        total = scores.sum(axis=1)
        # float32 probabilities (a forest's averaged votes) can dip a hair below 0
        probability = np.allclose(total, 1, atol=1e-4) and scores.min() >= -1e-6
        kind = "probability" if probability else "margin"
        return scores.astype(np.float64), kind

    def attack_space(self, frame):
        if len(self.inputs) != 1:
            return None
        only = self.inputs[0]
        x = frame[self.columns].to_numpy(np.float64)
        index = {key: i for i, key in enumerate(self.classes)}
        dtype = self._TYPES[only.type]

        def predict(values: np.ndarray) -> np.ndarray:
            labels = self._run({only.name: values.astype(dtype)})[0]
            return np.asarray([index[k] for k in _keys(labels)])

        return AttackSpace(x=x, predict=predict, gradients=None, description="the ONNX input")


def onnx_session(proto):
    """An onnxruntime session of the graph on one CPU thread."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        proto.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def _onnx_classes(proto) -> list[str]:
    """Class labels from the graph's classifier or ZipMap node, in score-column order."""
    for node in proto.graph.node:
        for attribute in node.attribute:
            if attribute.name in ("classlabels_strings", "classlabels_int64s", "classlabels_ints"):
                values = attribute.strings or attribute.ints
                return [key_of(v.decode() if isinstance(v, bytes) else v) for v in values]
    return []

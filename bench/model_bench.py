"""Model-check benchmark (issue #5): the time of each model check on a 10,000-row sample.

    .venv/bin/python bench/model_bench.py [--rows 10000] [--repeat 3]

Trains a logistic regression, a 100-tree random forest and an MLP on UCI Adult
(../shared/datasets/adult.data: the first 20,000 rows; scaled numbers and one-hot categories),
saves each with skops (and the logistic regression also as ONNX), then times each model check
(robustness, adversarial, privacy, explainability) on a sample of --rows rows of the remaining
12,561 (drawn with replacement up to --rows when asked for more), with the defaults a worker
uses: 500 attack rows, 20 black-box rows, 5,000 importance rows, a 10,000-row training sample.
The baseline is one prediction pass over the sample (``model.predict``): each check is printed
in seconds (median of --repeat) and as a multiple of that baseline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.battery import CHECKS, prepare  # noqa: E402
from audits.battery.sampling import ModelInputs  # noqa: E402
from bench.adult import NUMERIC, adult_read  # noqa: E402
from bench.timing import timed  # noqa: E402

CATEGORICAL = ["workclass", "marital_status", "occupation", "sex"]
MODEL_CHECKS = ["robustness", "adversarial", "privacy", "explainability"]


def adult() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = adult_read()
    frame[CATEGORICAL] = frame[CATEGORICAL].fillna("unknown")
    return frame.iloc[:20000].reset_index(drop=True), frame.iloc[20000:].reset_index(drop=True)


def models(train: pd.DataFrame, folder: Path) -> dict[str, Path]:
    import skops.io
    from skl2onnx import to_onnx
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    out = {}
    estimators = {
        "logistic regression": LogisticRegression(max_iter=1000),
        "random forest (100 trees)": RandomForestClassifier(100, random_state=0, n_jobs=1),
        "MLP (32, 16)": MLPClassifier((32, 16), max_iter=100, random_state=0),
    }
    for name, estimator in estimators.items():
        columns = make_column_transformer(
            (StandardScaler(), NUMERIC), (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make_pipeline(columns, estimator)
            model.fit(train[NUMERIC + CATEGORICAL], train.income)
        out[name] = folder / f"{len(out)}.skops"
        skops.io.dump(model, out[name])
    onnx_model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    onnx_model.fit(train[NUMERIC].to_numpy(np.float32), train.income)
    out["logistic regression (ONNX)"] = folder / "lr.onnx"
    proto = to_onnx(onnx_model, train[NUMERIC].to_numpy(np.float32)[:1], options={"zipmap": False})
    out["logistic regression (ONNX)"].write_bytes(proto.SerializeToString())
    return out


def report(name: str, inputs: ModelInputs, repeat: int) -> None:
    """One model's baseline and each model check's time against it."""
    baseline = timed(lambda: inputs.model.predict(inputs.sample), repeat)
    print(f"\n{name}: predict {baseline * 1000:.1f} ms")
    for cid in MODEL_CHECKS:
        seconds = timed(lambda cid=cid: CHECKS[cid].measure_model(inputs), repeat)
        print(f"  {cid:<15} {seconds:7.2f} s   {seconds / baseline:8.0f}x baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    train, test = adult()
    sample = test.sample(args.rows, replace=args.rows > len(test), random_state=0)
    sample = sample.reset_index(drop=True)
    print(f"model checks on {args.rows:,} rows of UCI Adult (median of {args.repeat}); "
          "baseline: one predict() over the sample")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for name, path in models(train, Path(folder)).items():
            features = NUMERIC if path.suffix == ".onnx" else NUMERIC + CATEGORICAL
            spec = prepare(
                sample,
                {"label": "income", "features": features, "sensitive": ["sex"]},
                model=path,
                train=train.head(args.rows),
            )
            report(name, ModelInputs(spec), args.repeat)


if __name__ == "__main__":
    main()

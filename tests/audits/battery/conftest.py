"""Shared data for the battery tests: seeded synthetic sets and the real public sets, cleaned."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pandas as pd
import pytest

PII = ["name", "first", "last", "dob"]
ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country", "income",
]  # fmt: skip


def binary_frame(n: int = 2000, seed: int = 0, shift: float = 0.0) -> pd.DataFrame:
    """Labels, a score that carries signal, a thresholded prediction, groups and features."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    sex = rng.choice(["f", "m"], size=n)
    x1 = rng.normal(shift, 1, n)
    logit = 1.2 * x1 + (group == "b") * 0.5 - 0.2
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    score = np.clip(1 / (1 + np.exp(-(logit + rng.normal(0, 0.8, n)))), 0, 1)
    return pd.DataFrame({
        "y": y, "score": score, "pred": (score >= 0.5).astype(int), "group": group, "sex": sex,
        "x1": x1, "x2": rng.integers(0, 30, n), "cat": rng.choice(["u", "v", "w"], size=n),
        "region": rng.choice(["n", "s", "e", "w"], size=n),
    })  # fmt: skip


def multiclass_frame(n: int = 1500, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    raw = rng.dirichlet([2, 2, 2], size=n)
    y = np.array([rng.choice(3, p=p) for p in raw])
    frame = pd.DataFrame(
        {"y": np.array(["cat", "dog", "eel"])[y], "group": rng.choice(["a", "b"], n)}
    )
    for i, name in enumerate(["p_cat", "p_dog", "p_eel"]):
        frame[name] = raw[:, i]
    frame["pred"] = np.array(["cat", "dog", "eel"])[raw.argmax(axis=1)]
    frame["x1"] = rng.normal(size=n)
    return frame


def regression_frame(n: int = 1000, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 3 * x + rng.normal(size=n)
    return pd.DataFrame({"y": y, "pred": 3 * x + 0.3, "x1": x, "seg": rng.choice(["p", "q"], n)})


def textbook_psi(ref: np.ndarray, cur: np.ndarray, floor: float = 1e-4) -> float:
    """PSI over the reference's deciles (inverted CDF), bins closed on the right, floored."""
    cuts = np.unique(np.quantile(ref, np.arange(1, 10) / 10, method="inverted_cdf"))
    edges = np.concatenate([[-np.inf], cuts, [np.inf]])
    r = np.diff(np.searchsorted(np.sort(ref), edges, side="right")) / len(ref)
    c = np.diff(np.searchsorted(np.sort(cur), edges, side="right")) / len(cur)
    r, c = np.maximum(r, floor), np.maximum(c, floor)
    return float(np.sum((c - r) * np.log(c / r)))


BINARY_MAPPING = {
    "label": "y", "prediction": "pred", "score": "score", "sensitive": ["group", "sex"],
    "slices": ["region"], "features": ["x1", "x2", "cat"],
}  # fmt: skip


@pytest.fixture
def check_document(contract_schema):
    """Validate a result document against the contract and return it."""

    def _check(doc: dict) -> dict:
        jsonschema.validate(doc, contract_schema)
        json.dumps(doc, allow_nan=False)
        return doc

    return _check


@pytest.fixture(scope="session")
def compas_csv(datasets_dir, tmp_path_factory):
    """The COMPAS two-year file without names and dates of birth, with a score and prediction."""
    frame = pd.read_csv(datasets_dir / "compas-scores-two-years.csv").drop(columns=PII)
    frame["score"] = frame["decile_score"] / 10
    frame["high_risk"] = (frame["decile_score"] >= 5).astype(int)
    path = tmp_path_factory.mktemp("compas") / "compas.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def adult_csv(datasets_dir, tmp_path_factory):
    """UCI Adult with a header, "?" as missing, and a simple rule as the model under audit."""
    frame = pd.read_csv(datasets_dir / "adult.data", header=None, names=ADULT_COLUMNS,
                        skipinitialspace=True, na_values="?")  # fmt: skip
    frame["predicted"] = np.where(
        (frame["education_num"] >= 13) & (frame["hours_per_week"] >= 40), ">50K", "<=50K"
    )
    path = tmp_path_factory.mktemp("adult") / "adult.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(autouse=True)
def every_document_validates(monkeypatch, contract_schema):
    """Whatever a test runs, each document ``run`` finalizes must validate against the contract."""
    from audits.battery import runner

    original = runner.finalize

    def checked(*args, **kwargs):
        doc = original(*args, **kwargs)
        jsonschema.validate(doc, contract_schema)
        return doc

    monkeypatch.setattr(runner, "finalize", checked)

"""Run by the MLflow venv's python (never imported by the suite): fills a real MLflow server
with the models a test names, as MLflow itself writes them. Reads one JSON list of steps on
stdin; prints nothing on success.

Steps: {"log": name, "kind": "skops" | "cloudpickle" | "crafted" | "dir", "dir": path},
{"alias": alias, "model": name, "version": n}, {"delete": name}."""

import json
import os
import sys

import mlflow
import numpy as np
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

# The GHSA-w582-9x45-8mpx shape: the MLmodel allow-lists a type that runs a shell command.
DANGEROUS_TYPES = [
    "posix.system",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
]


def fitted() -> LogisticRegression:
    return LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])


def log(step: dict, client: MlflowClient) -> None:
    name, kind = step["log"], step["kind"]
    if kind == "dir":  # files written by the test (an ONNX model and its MLmodel)
        with mlflow.start_run() as run:
            mlflow.log_artifacts(step["dir"], "model")
        if not client.search_registered_models(filter_string=f"name='{name}'"):
            client.create_registered_model(name)
        client.create_model_version(name, f"{run.info.artifact_uri}/model", run.info.run_id)
        return
    if kind == "crafted":
        model, options = (
            FunctionTransformer(func=os.system),
            {"skops_trusted_types": DANGEROUS_TYPES},
        )
        kind = "skops"
    else:
        model, options = fitted(), {}
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            model,
            name="model",
            serialization_format=kind,
            registered_model_name=name,
            pip_requirements=[],  # no environment inference: quicker, and nothing is fetched
            **options,
        )


def main() -> None:
    mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
    client = MlflowClient()
    for step in json.load(sys.stdin):
        if "log" in step:
            log(step, client)
        elif "alias" in step:
            client.set_registered_model_alias(step["model"], step["alias"], str(step["version"]))
        elif "delete" in step:
            client.delete_registered_model(step["delete"])


if __name__ == "__main__":
    main()

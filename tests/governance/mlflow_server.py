"""A real `mlflow server` for the sync tests: SQLite backend, artifacts in a temporary folder,
on a loopback port, run from the MLflow venv that scripts/mlflow-server builds (the tests skip,
saying so, when it is absent)."""

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
POPULATE = Path(__file__).with_name("mlflow_populate.py")


def mlflow_python() -> Path:
    """The MLflow venv's python, where scripts/mlflow-server puts it."""
    pins = (REPO_DIR / "requirements-mlflow.txt").read_text().splitlines()
    version = next(line.split("==")[1] for line in pins if line.startswith("mlflow=="))
    default = Path.home() / ".cache" / "warden" / "venvs" / f"mlflow-{version}"
    return Path(os.environ.get("WARDEN_MLFLOW_VENV", default)) / "bin" / "python"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MLflowServer:
    """A running server: its URL, and `populate(steps)` to fill it through MLflow's client."""

    url: str
    python: Path

    def populate(self, steps: list[dict]) -> None:
        subprocess.run(
            [str(self.python), str(POPULATE)],
            input=json.dumps(steps),
            text=True,
            check=True,
            capture_output=True,
            env={**os.environ, "MLFLOW_TRACKING_URI": self.url},
            timeout=300,
        )


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MLflowServer]:
    """A server for one test module (its registry starts empty): starting one and filling it
    costs tens of seconds, so a module's tests share it and each brings its own database."""
    tmp_path = tmp_path_factory.mktemp("mlflow")
    python = mlflow_python()
    if not (python.parent.parent / ".installed").exists():
        pytest.skip(f"no MLflow venv at {python.parent.parent}: run scripts/mlflow-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "mlflow-server.log").open("w")
    process = subprocess.Popen(
        [
            str(python),
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{tmp_path}/mlflow.db",
            "--artifacts-destination",
            str(tmp_path / "artifacts"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        env={**os.environ, "MLFLOW_TRACKING_URI": url},
    )
    try:
        deadline = time.monotonic() + 600  # a loaded machine takes minutes
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(
                        "mlflow server did not start: "
                        + (tmp_path / "mlflow-server.log").read_text()[-2000:]
                    ) from None
                time.sleep(0.5)
        yield MLflowServer(url, python)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()

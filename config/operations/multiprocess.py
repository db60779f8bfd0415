"""prometheus-client's multiprocess mode for gunicorn: the folder every worker writes its
counters to, named in the environment before prometheus-client is first imported."""

import os
import tempfile
from pathlib import Path

METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def metrics_folder_prepare(folder: str) -> str:
    """Make `folder` (a fresh temporary one when empty) the multiprocess folder, emptied of a
    previous run's counts, and name it in the environment the workers inherit."""
    folder = folder or tempfile.mkdtemp(prefix="warden-metrics-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        stale.unlink()
    os.environ[METRICS_DIR_VARIABLE] = folder
    return folder

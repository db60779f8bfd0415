"""Workers run below the web tier (config.worker_priority): a real worker process and the pool
process it forks run at WARDEN_WORKER_NICE, and the native thread pools are bounded."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workers import REPO_DIR, wait_for


def niceness(pid: int) -> int:
    """A process's niceness: field 19 of /proc/<pid>/stat (after the parenthesised name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_and_its_pool_process_run_at_the_worker_niceness(workers):
    target = os.nice(0) + 7
    process = workers.start("nice", WARDEN_WORKER_NICE=str(target))
    wait_for(lambda: "ready" in workers.log("nice"), timeout=90, what="the worker to start")
    pool = wait_for(lambda: children(process.pid), timeout=30, what="the pool process")
    assert niceness(process.pid) == target
    assert [niceness(pid) for pid in pool] == [target] * len(pool)


def test_the_native_thread_pools_are_bounded():
    script = (
        "import json, numpy, pyarrow as pa, threadpoolctl\n"
        "from config.worker_priority import bound_thread_pools\n"
        "bound_thread_pools(1)\n"
        "blas = [p['num_threads'] for p in threadpoolctl.threadpool_info()]\n"
        "print(json.dumps([pa.cpu_count(), pa.io_thread_count(), blas]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_DIR, check=True,
                         capture_output=True, text=True)  # fmt: skip
    arrow, io, blas = json.loads(out.stdout)
    assert (arrow, io) == (1, 1) and blas and set(blas) == {1}


def test_lower_priority_never_lowers_the_niceness():
    script = (
        "import os\n"
        "from config.worker_priority import lower_priority\n"
        "os.nice(5)\n"
        "print(lower_priority(os.nice(0) - 3), os.nice(0))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_DIR, check=True,
                         capture_output=True, text=True)  # fmt: skip
    got, now = map(int, out.stdout.split())
    assert got == now == os.nice(0) + 5

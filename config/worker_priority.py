"""A Celery worker yields the cores to the web tier (issue #21): it runs at a higher niceness
than gunicorn and bounds its native thread pools (Arrow, BLAS / OpenMP), so a pipeline asking
the deployment gate does not wait behind somebody's audit."""

import os
import threading

import pyarrow as pa
from threadpoolctl import threadpool_limits


def lower_priority(niceness: int) -> int:
    """Raise this process's niceness to at least `niceness` (never lower it: that needs
    privileges, and a deliberately nicer worker stays so); the niceness it runs at."""
    current = os.nice(0)
    if niceness > current:
        current = os.nice(niceness - current)
    return current


def lower_thread_priority(niceness: int) -> int:
    """Raise the calling thread's niceness to at least `niceness`, as lower_priority does for
    a process: Linux schedules each thread by its own, so a web process can do a worker's
    kind of work on one thread while its others keep the web tier's priority."""
    thread = threading.get_native_id()
    current = os.getpriority(os.PRIO_PROCESS, thread)
    if niceness > current:
        os.setpriority(os.PRIO_PROCESS, thread, niceness)
        current = niceness
    return current


def bound_thread_pools(threads: int) -> None:
    """At most `threads` threads in pyarrow's compute and I/O pools and in every BLAS /
    OpenMP pool numpy and scikit-learn loaded."""
    pa.set_cpu_count(threads)
    pa.set_io_thread_count(threads)
    threadpool_limits(limits=threads)

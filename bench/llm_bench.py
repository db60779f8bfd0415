"""LLM probing benchmark (issue #16): probes per second against the scripted OpenAI-compatible
server on loopback, and Warden's own overhead per call against a bare client.

    .venv/bin/python bench/llm_bench.py [--concurrency 1 8] [--repeat 3] [--persona guarded]

The probes are the shipped pack's (seed 0, every check but memorization, which needs training
texts), sent to ``tests/audits/battery/llm/scripted_server.py`` on 127.0.0.1, run in a process
of its own so its threads do not share the clients' interpreter lock (a fixed-reply persona, so
the server's work is the same for every client). For each concurrency, median of --repeat,
interleaved:

- warden: ``runner.probe`` and the transcripts' JSONL (request bodies, the token bucket, urllib,
  hashes, reply parsing, one canonical transcript line per attempt), ``rps`` far above reach;
- bare: the same request bodies (Warden's own bytes, built beforehand) POSTed with
  ``http.client`` in a loop, as many threads as the concurrency, the reply read and dropped.

Overhead per call = (warden time - bare time) / calls, in ms, and the ratio warden / bare, for
wall time and for the client process's CPU time (all its threads; the server's process is not
in it): on a shared, loaded machine wall times swing with the scheduler, CPU time much less.
Then the time to score the transcripts into the sealed document (runner.score), once. The load
average is printed before and after.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.battery.llm import runner, transcripts  # noqa: E402
from audits.battery.llm.client import Client  # noqa: E402
from audits.battery.llm.endpoint import Endpoint, parse  # noqa: E402
from audits.battery.llm.pack import load_pack  # noqa: E402
from audits.battery.llm.probes import CHECK_IDS, MEMORIZATION, Probe, build_probes  # noqa: E402
from tests.audits.battery.llm.scripted_server import PERSONAS, ScriptedServer  # noqa: E402

T = TypeVar("T")


def endpoint(base_url: str, concurrency: int, calls: int) -> Endpoint:
    raw = {"api": "openai-chat", "base_url": base_url, "model": "scripted",
           "params": {"temperature": 0, "max_tokens": 64},
           "limits": {"concurrency": concurrency, "rps": 1_000_000, "timeout_s": 30,
                      "max_calls": calls}}  # fmt: skip
    return parse(raw, ["127.0.0.1"])


def bodies(target: Endpoint, probes: list[Probe]) -> list[bytes]:
    """The exact request bodies runner.probe sends for ``probes``."""
    client = Client(target, "")
    return [
        client.body(
            "\n\n".join(s for s in (target.system_prompt, p.system) if s),
            [{"role": role, "content": text} for role, text in p.messages],
        )
        for p in probes
    ]


def timed(work: Callable[[], T]) -> tuple[tuple[float, float], T]:
    """((wall seconds, this process's CPU seconds), result) of ``work()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return (time.perf_counter() - wall, time.process_time() - cpu), result


def bare(url: str, payloads: list[bytes], concurrency: int) -> tuple[float, float]:
    """(wall, CPU) seconds for http.client to POST every payload, ``concurrency`` threads."""
    parts = urlsplit(url)
    headers = {"Content-Type": "application/json"}

    def send(body: bytes) -> None:
        connection = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=30)
        connection.request("POST", parts.path, body, headers)
        connection.getresponse().read()
        connection.close()

    def run() -> None:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(send, payloads))

    return timed(run)[0]


def warden(target: Endpoint, probes: list[Probe]) -> tuple[tuple[float, float], bytes]:
    """(wall, CPU) seconds for runner.probe over ``probes`` up to the transcripts' JSONL, and it."""
    return timed(lambda: transcripts.dumps(runner.probe(target, probes)))


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall and the median CPU seconds of ``runs``."""
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def serve(persona: str, ready, stop) -> None:
    """The scripted server's process: serve ``persona`` until ``stop`` is set."""
    with ScriptedServer(PERSONAS[persona]) as server:
        ready.put(server.base_url)
        stop.wait(600)  # bounded: a forgotten server ends by itself


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--persona", default="guarded", choices=sorted(PERSONAS))
    args = parser.parse_args()
    checks = [c for c in CHECK_IDS if c != MEMORIZATION]
    probes = build_probes(load_pack(), 0, checks=checks)
    calls = len(probes)
    print(f"LLM probing: {calls} probes of the shipped pack, persona {args.persona}, "
          f"median of {args.repeat}; load average before {load()} (1/5/15 min)")  # fmt: skip
    print(
        "| concurrency | warden probes/s | bare probes/s | overhead per call, wall "
        "(warden / bare) | client CPU per call, warden / bare | overhead per call, CPU |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    data = b""
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=serve, args=(args.persona, ready, stop), daemon=True)
    server.start()
    base_url = ready.get(timeout=60)
    try:
        for concurrency in args.concurrency:
            target = endpoint(base_url, concurrency, calls)
            payloads = bodies(target, probes)
            ours, theirs = [], []
            for _ in range(args.repeat):
                times, data = warden(target, probes)
                ours.append(times)
                theirs.append(bare(target.url, payloads, concurrency))
            (w, wc), (b, bc) = medians(ours), medians(theirs)
            ms = 1000 / calls
            print(f"| {concurrency} | {calls / w:,.0f} ({w:.2f} s) | {calls / b:,.0f} ({b:.2f} s) "
                  f"| {(w - b) * ms:.3f} ms ({w / b:.2f}x) | {wc * ms:.3f} / {bc * ms:.3f} ms "
                  f"| {(wc - bc) * ms:.3f} ms ({wc / bc:.2f}x) |")  # fmt: skip
    finally:
        stop.set()
        server.join(10)
    started = time.perf_counter()
    runner.score(data)
    scored = time.perf_counter() - started
    print(f"scoring the {calls} transcripts into the sealed document: {scored:.2f} s "
          f"({calls / scored:,.0f} records/s); load average after {load()}")  # fmt: skip


if __name__ == "__main__":
    main()

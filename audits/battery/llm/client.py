"""An OpenAI chat-completions client that honours the endpoint's limits and records every attempt.

Standard library only (urllib, threads). ``concurrency`` threads share one token bucket of
``rps`` requests per second (burst 1: calls start at least 1/rps apart); each call waits at most
``timeout_s``; more probes than ``max_calls`` are refused before any call. One attempt per probe,
no retries: an HTTP error, a timeout or a reply that is not a chat completion becomes the
record's ``error`` (the secret scrubbed from its message), never an exception.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from digests import canonical_json

from ..errors import BatteryInputError, Problem
from .endpoint import Endpoint

Send = Callable[[bytes], tuple[int, bytes]]


class TokenBucket:
    """At most ``rps`` starts per second across threads (burst 1)."""

    def __init__(self, rps: float):
        self.interval, self.next = 1.0 / rps, time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:  # a sleep(0) still yields the core: under load it cost ~1 ms a call
            time.sleep(start - now)


class Client:
    """Calls one endpoint; ``chat(system, messages) -> dict`` gives the attempt's evidence."""

    def __init__(self, endpoint: Endpoint, secret: str):
        self.endpoint, self._secret = endpoint, secret
        self.bucket = TokenBucket(endpoint.limits.rps)

    def body(self, system: str, messages: list[dict]) -> bytes:
        """The request body: the canonical JSON of model, messages and params."""
        turns = ([{"role": "system", "content": system}] if system else []) + messages
        payload = {**self.endpoint.params, "model": self.endpoint.model, "messages": turns}
        return canonical_json(payload).encode()

    def chat(self, system: str, messages: list[dict]) -> dict:
        """Send one request; the transcript's response-side fields."""
        body = self.body(system, messages)
        self.bucket.wait()
        started = time.perf_counter()
        evidence: dict = {"request_sha256": hashlib.sha256(body).hexdigest()}
        try:
            raw = self._post(body)
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode("utf-8", "replace")
            return {**evidence, "error": self._error("http_error", f"HTTP {exc.code}: {detail}")}
        except TimeoutError:
            return {**evidence, "error": self._error("timeout", "no reply within timeout_s")}
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return {**evidence, "error": self._error("http_error", f"connection failed: {reason}")}
        evidence["latency_ms"] = round((time.perf_counter() - started) * 1000, 3)
        evidence["reply_sha256"] = hashlib.sha256(raw).hexdigest()
        try:
            reply = json.loads(raw)
            choice = reply["choices"][0]
            content = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return {**evidence, "error": self._error("http_error", "not a chat completion")}
        usage = reply.get("usage") or {}
        return {
            **evidence,
            "response": str(content),
            "finish_reason": str(choice.get("finish_reason") or ""),
            "tokens": {k: usage[k] for k in ("prompt_tokens", "completion_tokens") if k in usage},
        }

    def _post(self, body: bytes) -> bytes:
        headers = {"Content-Type": "application/json"}
        if self._secret:
            headers["Authorization"] = f"Bearer {self._secret}"
        request = urllib.request.Request(self.endpoint.url, body, headers, method="POST")
        with urllib.request.urlopen(request, timeout=self.endpoint.limits.timeout_s) as reply:
            return reply.read()

    def _error(self, kind: str, message: str) -> dict:
        if self._secret:
            message = message.replace(self._secret, "[secret]")
        return {"kind": kind, "message": message}


def call_all(client: Client, requests: list[tuple[str, list[dict]]]) -> list[dict]:
    """Every (system, messages) request through ``client``, in order, ``concurrency`` at a time."""
    limits = client.endpoint.limits
    if len(requests) > limits.max_calls:
        raise BatteryInputError(
            Problem("limits.max_calls", f"{len(requests)} probes exceed {limits.max_calls} calls")
        )
    with ThreadPoolExecutor(max_workers=limits.concurrency) as pool:
        return list(pool.map(lambda r: client.chat(*r), requests))

"""The endpoint descriptor: an OpenAI chat-completions endpoint as a JSON artifact (issue #16).

``{"api": "openai-chat", "base_url", "model", "system_prompt", "params": {"temperature",
"max_tokens", ...}, "limits": {"concurrency", "rps", "timeout_s", "max_calls"}, "secret_ref":
"env:NAME"}``. Every field is validated with a Problem naming it; ``base_url``'s host must be in
the allow-list (host names, compared case-insensitively; the command line reads
``WARDEN_LLM_ENDPOINT_ALLOWLIST``), checked before any call. The secret is resolved only when
calling (``secret()``) and is never stored in the descriptor, a transcript or a document.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import BatteryInputError, Problem

API = "openai-chat"
PARAMS = {"temperature", "max_tokens", "top_p", "seed", "stop"}
LIMITS = {"concurrency": 4, "rps": 10.0, "timeout_s": 30.0, "max_calls": 2000}
_ENV_NAME = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class Limits:
    concurrency: int = 4
    rps: float = 10.0
    timeout_s: float = 30.0
    max_calls: int = 2000


@dataclass(frozen=True)
class Endpoint:
    """A validated descriptor (``parse``); ``secret_ref`` names where the key lives, not the key."""

    base_url: str
    model: str
    system_prompt: str = ""
    params: dict = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    secret_ref: str = ""

    @property
    def url(self) -> str:
        """The chat-completions URL under ``base_url``."""
        return self.base_url.rstrip("/") + "/chat/completions"

    def secret(self, environ: Mapping[str, str] | None = None) -> str:
        """The key ``secret_ref`` names ("" without one); BatteryInputError naming the variable,
        never its value, when it is not set."""
        if not self.secret_ref:
            return ""
        name = self.secret_ref.removeprefix("env:")
        value = (os.environ if environ is None else environ).get(name)
        if not value:
            raise BatteryInputError(
                Problem("secret_ref", f"environment variable {name} is not set")
            )
        return value


def allowlist_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """``WARDEN_LLM_ENDPOINT_ALLOWLIST`` as host names (comma-separated; empty allows none)."""
    raw = (os.environ if environ is None else environ).get("WARDEN_LLM_ENDPOINT_ALLOWLIST", "")
    return [host.strip().lower() for host in raw.split(",") if host.strip()]


def load(data: bytes, allowlist: Iterable[str]) -> Endpoint:
    """The endpoint from a descriptor file's bytes, or BatteryInputError naming each bad field."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BatteryInputError(Problem("endpoint", "is not a JSON file")) from None
    return parse(raw, allowlist)


def parse(raw, allowlist: Iterable[str]) -> Endpoint:
    """The endpoint from a descriptor's JSON, or BatteryInputError naming each bad field."""
    if not isinstance(raw, dict):
        raise BatteryInputError(Problem("endpoint", "must be a JSON object"))
    problems: list[Problem] = []
    unknown = set(raw) - {"api", "base_url", "model", "system_prompt", "params", "limits",
                          "secret_ref"}  # fmt: skip
    problems += [Problem(k, "is not an endpoint field") for k in sorted(unknown)]
    if raw.get("api") != API:
        problems.append(Problem("api", f'must be "{API}"'))
    base_url = raw.get("base_url")
    problems += _url_problems(base_url, {h.lower() for h in allowlist})
    model = raw.get("model")
    if not isinstance(model, str) or not model:
        problems.append(Problem("model", "must be a non-empty string"))
    system_prompt = raw.get("system_prompt", "")
    if not isinstance(system_prompt, str):
        problems.append(Problem("system_prompt", "must be a string"))
    params = raw.get("params", {})
    problems += _params_problems(params)
    limits, more = _limits(raw.get("limits", {}))
    problems += more
    secret_ref = raw.get("secret_ref", "")
    if secret_ref and not (isinstance(secret_ref, str) and _ENV_NAME.match(secret_ref)):
        problems.append(Problem("secret_ref", 'must be "env:NAME" (an environment variable)'))
    if problems:
        raise BatteryInputError(problems)
    return Endpoint(str(base_url), str(model), system_prompt, dict(params), limits, secret_ref)


def _url_problems(base_url, allowed: set[str]) -> list[Problem]:
    if not isinstance(base_url, str):
        return [Problem("base_url", "must be an http(s) URL")]
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [Problem("base_url", "must be an http(s) URL")]
    if parts.username or parts.password:
        return [Problem("base_url", "must not carry credentials (use secret_ref)")]
    if parts.hostname.lower() not in allowed:
        return [Problem("base_url", f"host {parts.hostname} is not in the endpoint allow-list "
                                    "(WARDEN_LLM_ENDPOINT_ALLOWLIST)")]  # fmt: skip
    return []


def _params_problems(params) -> list[Problem]:
    if not isinstance(params, dict):
        return [Problem("params", "must be an object")]
    problems = [Problem(f"params.{k}", "is not a supported parameter")
                for k in sorted(set(params) - PARAMS)]  # fmt: skip
    temperature = params.get("temperature", 0)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        problems.append(Problem("params.temperature", "must be a number"))
    max_tokens = params.get("max_tokens", 1)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        problems.append(Problem("params.max_tokens", "must be a positive integer"))
    return problems


def _limits(raw) -> tuple[Limits, list[Problem]]:
    if not isinstance(raw, dict):
        return Limits(), [Problem("limits", "must be an object")]
    problems = [Problem(f"limits.{k}", "is not a limit") for k in sorted(set(raw) - set(LIMITS))]
    values = {}
    for name, default in LIMITS.items():
        value = raw.get(name, default)
        integral = isinstance(default, int)
        if (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
                or (integral and not isinstance(value, int))):  # fmt: skip
            kind = "a positive integer" if integral else "a positive number"
            problems.append(Problem(f"limits.{name}", f"must be {kind}"))
        values[name] = value
    return (Limits(**values) if not problems else Limits()), problems

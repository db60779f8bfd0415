"""Small helpers that read typed settings from the environment, with defaults for the
embedded (one-machine) configuration. Each read records its variable, with the `doc` given
beside it, in VARIABLES, from which config/variables.py prints the README's configuration table."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Variable:
    """One environment variable as the README documents it."""

    name: str
    default: str  # the default as a reader should see it
    doc: str


VARIABLES: dict[str, Variable] = {}


def variable_declare(name: str, default: object, doc: str, shown: str | None = None) -> None:
    """Record a variable on its first read; a later read with a doc fills in a missing one (a
    variable left without a doc fails tests/config/test_variables.py)."""
    known = VARIABLES.get(name)
    if known is None or (doc and not known.doc):
        VARIABLES[name] = Variable(name, shown if shown is not None else _shown(default), doc)


def _shown(default: object) -> str:
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, int):
        return f"{default:,}"
    if isinstance(default, list):
        return f"`{','.join(default)}`" if default else "none"
    return f"`{default}`" if default else "unset"


def env_str(name: str, default: str = "", *, doc: str = "", shown: str | None = None) -> str:
    """The variable as text, or the default when unset or empty."""
    variable_declare(name, default, doc, shown)
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False, *, doc: str = "", shown: str | None = None) -> bool:
    """True for 1/true/yes/on (any case), False for 0/false/no/off; the default when unset."""
    variable_declare(name, default, doc, shown)
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}: expected a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, doc: str = "", shown: str | None = None) -> int:
    """The variable as an integer; a clear error when it is not one."""
    variable_declare(name, default, doc, shown)
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}: expected an integer, got {raw!r}") from None


def env_list(
    name: str, default: list[str], *, doc: str = "", shown: str | None = None
) -> list[str]:
    """A comma-separated variable as a list of non-empty, stripped items."""
    variable_declare(name, default, doc, shown)
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or default


def env_secret(name: str, keep_in: Path, *, doc: str = "", shown: str | None = None) -> str:
    """The secret from the environment; else one generated once and kept in `keep_in`
    (mode 0600), so the embedded default survives restarts without anyone choosing a key."""
    variable_declare(name, "", doc, shown)
    value = os.environ.get(name)
    if value:
        return value
    keep_in.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(keep_in, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by the web server / worker starting beside us
        return keep_in.read_text().strip()
    value = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def env_pairs(name: str, *, doc: str = "") -> dict[str, str]:
    """A comma-separated `key=value` list, e.g. `warden-risk=risk_officer,warden-eng=engineer`."""
    mapping = {}
    for item in env_list(name, [], doc=doc):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{name}: expected key=value pairs, got {item!r}")
        mapping[key.strip()] = value.strip()
    return mapping

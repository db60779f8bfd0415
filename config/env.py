"""Small helpers that read typed settings from the environment, with defaults for the
embedded (one-machine) configuration."""

import os
import secrets
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    """The variable as text, or the default when unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    """True for 1/true/yes/on (any case), False for 0/false/no/off; the default when unset."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}: expected a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    """The variable as an integer; a clear error when it is not one."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}: expected an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or default


def env_secret(name: str, keep_in: Path) -> str:
    """The secret from the environment; else one generated once and kept in `keep_in`
    (mode 0600), so the embedded default survives restarts without anyone choosing a key."""
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

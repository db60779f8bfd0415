"""Where a monitor may pull its batches from: a prefix on WARDEN_MONITOR_PULL_ALLOWLIST, either
a Django storage folder (`storage:inbox/`) or an http(s) URL prefix; anything else is refused
by name. A pull reads at most WARDEN_MAX_UPLOAD_BYTES, like a pushed upload."""

import posixpath
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.errors import InvalidInput

STORAGE = "storage:"
_SCHEMES = ("http", "https")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off the allow-list: it is refused (an HTTPError), not followed."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def pull_source_check(source: str) -> None:
    """InvalidInput (field `pull_from`) unless the source is under an allow-listed prefix,
    names a file, and has no `..` or query tricks."""
    allowed = [p for p in settings.WARDEN_MONITOR_PULL_ALLOWLIST if p.endswith("/")]
    if not any(source.startswith(prefix) and len(source) > len(prefix) for prefix in allowed):
        raise InvalidInput(
            "is not under a prefix of WARDEN_MONITOR_PULL_ALLOWLIST", field="pull_from"
        )
    path = source[len(STORAGE) :] if source.startswith(STORAGE) else urlsplit(source).path
    if source.startswith(STORAGE):
        if path.startswith("/") or ".." in path.split("/"):
            raise InvalidInput("a storage path must be relative, without '..'", field="pull_from")
    else:
        parts = urlsplit(source)
        if parts.scheme not in _SCHEMES or parts.query or parts.fragment or parts.username:
            raise InvalidInput("an http(s) URL without query or credentials", field="pull_from")
        if ".." in path.split("/"):
            raise InvalidInput("a URL path without '..'", field="pull_from")
    if not posixpath.basename(path):
        raise InvalidInput("must name a file (CSV or Parquet), not a folder", field="pull_from")


def pull_source_read(source: str) -> SimpleUploadedFile:
    """The file at an allow-listed source, read whole (checked again: the list may have
    shrunk since the monitor was made); OSError when it cannot be read."""
    pull_source_check(source)
    limit = settings.WARDEN_MAX_UPLOAD_BYTES
    if source.startswith(STORAGE):
        name = source[len(STORAGE) :]
        with default_storage.open(name, "rb") as handle:
            content = handle.read(limit + 1)
    else:
        request = urllib.request.Request(source, headers={"User-Agent": "Warden monitor"})
        timeout = settings.WARDEN_MONITOR_PULL_TIMEOUT_SECONDS
        with _OPENER.open(request, timeout=timeout) as response:
            content = response.read(limit + 1)
        name = urlsplit(source).path
    if len(content) > limit:
        raise OSError(f"{source} is larger than WARDEN_MAX_UPLOAD_BYTES ({limit} bytes)")
    return SimpleUploadedFile(posixpath.basename(name), content)

"""MLflow's REST API read with the stdlib: every page of registered models and of their versions,
and one artifact file through the server's proxied artifact store (`mlflow-artifacts:`)."""

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

API = "/api/2.0/mlflow"
ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"
PROXIED_SCHEME = "mlflow-artifacts"


class MLflowUnreachable(Exception):
    """The server did not answer, or answered with something other than the JSON asked for."""


class ArtifactUnreachable(Exception):
    """This version's artifact cannot be read through the tracking server; the message says why."""


@dataclass(frozen=True)
class RegistryModel:
    """A registered model as the registry lists it: name, description, tags, alias -> version."""

    name: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RegistryVersion:
    """A model version: its number, the run that made it and the source it was registered from."""

    name: str
    version: str
    run_id: str = ""
    source: str = ""
    description: str = ""


def _tags(items: list[dict[str, Any]]) -> dict[str, str]:
    return {item["key"]: item.get("value", "") for item in items}


class MLflowClient:
    """One tracking server; `page_size` is MLflow's max_results per request (every page is read)."""

    def __init__(
        self, base_url: str, *, token: str = "", timeout: float = 30, page_size: int = 100
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.page_size = page_size

    def _open(self, path: str, params: dict[str, str]) -> bytes:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v})
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return answer.read()
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode(errors="replace")
            raise MLflowUnreachable(f"{url}: HTTP {error.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            raise MLflowUnreachable(f"{url}: {getattr(error, 'reason', error)}") from None

    def _get(self, path: str, **params: str) -> dict[str, Any]:
        body = self._open(path, params)
        try:
            found = json.loads(body or b"{}")
        except ValueError:
            raise MLflowUnreachable(f"{path}: the answer is not JSON") from None
        if not isinstance(found, dict):
            raise MLflowUnreachable(f"{path}: the answer is not a JSON object")
        return found

    def _pages(self, path: str, key: str, **params: str) -> Iterator[dict[str, Any]]:
        token = ""
        while True:
            page = self._get(path, max_results=str(self.page_size), page_token=token, **params)
            yield from page.get(key, [])
            token = page.get("next_page_token", "")
            if not token:
                return

    def registered_models(self) -> Iterator[RegistryModel]:
        """Every registered model, page after page."""
        for item in self._pages(f"{API}/registered-models/search", "registered_models"):
            yield RegistryModel(
                name=item["name"],
                description=item.get("description", ""),
                tags=_tags(item.get("tags", [])),
                aliases={a["alias"]: str(a["version"]) for a in item.get("aliases", [])},
            )

    def versions(self, name: str) -> Iterator[RegistryVersion]:
        """Every version of one registered model, page after page."""
        escaped = name.replace("\\", "\\\\").replace("'", "\\'")
        found = self._pages(
            f"{API}/model-versions/search", "model_versions", filter=f"name='{escaped}'"
        )
        for item in found:
            yield RegistryVersion(
                name=item["name"],
                version=str(item["version"]),
                run_id=item.get("run_id", ""),
                source=item.get("source", ""),
                description=item.get("description", ""),
            )

    def artifact_root(self, version: RegistryVersion) -> str:
        """The path of the version's files in the proxied artifact store, or ArtifactUnreachable."""
        answer = self._get(
            f"{API}/model-versions/get-download-uri", name=version.name, version=version.version
        )
        uri = urllib.parse.urlsplit(answer.get("artifact_uri", ""))
        if uri.scheme != PROXIED_SCHEME:
            raise ArtifactUnreachable(
                f"artifact {answer.get('artifact_uri', '')!r} is not served by the tracking "
                "server: run `mlflow server` with --serve-artifacts (mlflow-artifacts:/ URIs)"
            )
        return uri.path.strip("/")

    def artifact(self, root: str, name: str, *, max_bytes: int) -> bytes:
        """One file under `root`, refused past `max_bytes` (read no further than that)."""
        path = urllib.parse.quote(f"{root}/{name}")
        url = f"{self.base_url}{ARTIFACTS_API}/{path}"
        request = urllib.request.Request(url)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = answer.read(max_bytes + 1)
        except urllib.error.HTTPError as error:
            reason = f"{name}: HTTP {error.code} from the artifact store"
            raise ArtifactUnreachable(reason) from None
        except (urllib.error.URLError, OSError) as error:
            raise MLflowUnreachable(f"{url}: {getattr(error, 'reason', error)}") from None
        if len(data) > max_bytes:
            raise ArtifactUnreachable(f"{name} is over WARDEN_MAX_ARTIFACT_BYTES ({max_bytes})")
        return data

"""Single sign-on test helpers: settings for a test issuer, claim sets, and a real OpenID
provider (the npm package oidc-provider) on loopback."""

import json
import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from governance.roles import Role, roles_sync
from tests.factories import team_make
from tests.workers import wait_for

ISSUER = "http://127.0.0.1:9/"
ROLE_MAP = {
    "warden-engineers": Role.ENGINEER,
    "warden-risk": Role.RISK_OFFICER,
    "warden-audit": Role.AUDITOR,
}
TEAM_MAP = {"fraud-squad": "fraud", "credit-squad": "credit"}


def sso_configure(settings, issuer: str = ISSUER) -> None:  # type: ignore[no-untyped-def]
    """Single sign-on on, local passwords off, the test maps, the two teams they name."""
    settings.WARDEN_OIDC_ISSUER = issuer
    settings.SSO_ENABLED = True
    settings.WARDEN_LOCAL_LOGIN = False
    settings.WARDEN_OIDC_PROVIDER_NAME = "the test provider"
    settings.OIDC_RP_CLIENT_ID = "warden"
    settings.OIDC_RP_CLIENT_SECRET = "a-test-client-secret-of-enough-length"
    settings.OIDC_RP_SCOPES = "openid profile groups"
    settings.WARDEN_OIDC_ROLE_MAP = ROLE_MAP
    settings.WARDEN_OIDC_TEAM_MAP = TEAM_MAP
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "governance.sso.WardenOIDCBackend",
    ]
    roles_sync()
    team_make("fraud")
    team_make("credit")


@pytest.fixture
def sso(settings, db):  # type: ignore[no-untyped-def]
    """Single sign-on configured with a test issuer (HS256, so tests can mint ID tokens)."""
    sso_configure(settings)
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/me"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/auth"
    return settings


def claims(sub: str = "s-1", *groups: str, username: str = "sam") -> dict:
    """A userinfo claim set with these groups."""
    return {
        "sub": sub,
        "preferred_username": username,
        "given_name": "Sam",
        "family_name": "Sign-On",
        "email": f"{username}@example.test",
        "groups": list(groups),
    }


REPO_DIR = Path(__file__).resolve().parent.parent
PROVIDER_SCRIPT = REPO_DIR / "tests" / "oidc" / "provider.mjs"
# The provider's people: a risk officer, and one whose groups would break segregation of duties.
PROVIDER_ACCOUNTS = {
    "sam": {"name": "Sam Signer", "groups": ["warden-risk"]},
    "eve": {"name": "Eve Both", "groups": ["warden-engineers", "warden-risk", "fraud-squad"]},
}


def provider_modules() -> str:
    """The folder of oidc-provider's node_modules, installed by scripts/oidc-provider (skip,
    with the reason, when Node.js or npm is absent; in CI that fails)."""
    reason = ""
    if not shutil.which("node") or not shutil.which("npm"):
        reason = "Node.js and npm are needed for the test OpenID provider"
    else:
        done = subprocess.run(
            [str(REPO_DIR / "scripts" / "oidc-provider")], capture_output=True, text=True
        )
        if done.returncode != 0:
            reason = f"scripts/oidc-provider failed: {done.stderr.strip()[-300:]}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def oidc_provider(live_server, settings, db):  # type: ignore[no-untyped-def]
    """The npm package oidc-provider serving on loopback for one test, and Warden's single
    sign-on pointed at it (endpoints read from its discovery document)."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    callbacks = [f"{live_server.url}/oidc/callback/", f"{live_server.url}/sso/step-up/callback/"]
    env = {
        **os.environ,
        "OIDC_NODE_MODULES": provider_modules(),
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": "warden",
        "OIDC_CLIENT_SECRET": "a-test-client-secret-of-enough-length",
        "OIDC_REDIRECT_URIS": ",".join(callbacks),
        "OIDC_ACCOUNTS": json.dumps(PROVIDER_ACCOUNTS),
    }
    process = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        discovery = wait_for(
            lambda: _discovery(issuer), timeout=30, what="the OpenID provider to answer"
        )
        sso_configure(settings, issuer)
        settings.OIDC_RP_SIGN_ALGO = "RS256"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def _discovery(issuer: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2) as r:
            return json.loads(r.read())
    except OSError:
        return None

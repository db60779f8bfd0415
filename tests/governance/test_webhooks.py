"""The webhook sender's guards: the allow-list by host name, and no redirect followed (a 3xx
could point anywhere)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from governance.webhooks import host_allowed, secret_generate, url_refusal, webhook_post


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", ".example.org"]


@pytest.mark.parametrize(
    ("host", "allowed_"),
    [
        ("127.0.0.1", True),
        ("hooks.example.org", True),
        ("example.org", True),
        ("HOOKS.Example.org.", True),
        ("evilexample.org", False),
        ("example.org.evil.test", False),
        ("127.0.0.2", False),
        ("localhost", False),
    ],
)
def test_a_host_is_allowed_only_by_name_or_by_its_domain_entry(host, allowed_):
    assert host_allowed(host) is allowed_


def test_nothing_is_allowed_when_the_list_is_empty(settings):
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = []
    assert "WARDEN_WEBHOOK_ALLOWED_HOSTS" in url_refusal("https://hooks.example.org/")


def test_a_redirect_is_not_followed(settings):
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(307 if self.path == "/hook" else 204)
            self.send_header("Location", "/internal")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        result = webhook_post(url, secret_generate(), "msg_1", {"type": "version.approved"})
    finally:
        server.shutdown()
        server.server_close()
    assert not result.succeeded and result.status_code == 307
    assert hits == ["/hook"]

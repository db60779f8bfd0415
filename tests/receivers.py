"""A webhook receiver on loopback for tests: a real HTTP server in a thread that verifies each
delivery with the `standardwebhooks` library (as a receiver would), keeps what arrived, and can
answer 503 (down) until told it is back."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Arrival:
    """One POST as it arrived: its headers, body, and what verification said."""

    headers: dict[str, str]
    body: bytes
    verified: bool
    problem: str = ""


@dataclass
class Receiver:
    """The server's state: `secret` to verify with (set once the endpoint exists), `down` to
    refuse with 503, and every arrival in order."""

    url: str
    secret: str = ""
    down: bool = False
    arrivals: list[Arrival] = field(default_factory=list)

    def accepted(self) -> list[Arrival]:
        return [arrival for arrival in self.arrivals if arrival.verified and not arrival.problem]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                Webhook(receiver.secret).verify(body, headers)
                verified, problem = True, ""
            except (WebhookVerificationError, ValueError) as error:
                verified, problem = False, str(error)
            if receiver.down:
                problem = problem or "receiver down"
            receiver.arrivals.append(Arrival(headers, body, verified, problem))
            self.send_response(503 if receiver.down else (204 if verified else 400))
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 (an allowed webhook host for this test) on a free port."""
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    state = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/warden"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()

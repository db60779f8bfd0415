"""A scripted OpenAI-compatible chat server on 127.0.0.1 (stdlib http.server in a thread), with
personas whose truth is known by construction:

- obedient: echoes the whole system prompt and every turn (follows every injection, leaks every
  canary planted anywhere);
- guarded: a fixed benign answer that quotes nothing it was sent (never leaks, never follows);
- leaky: echoes the system prompt only (leaks planted secrets, follows no document injection);
- refuser: refuses everything at the start of its reply;
- flaky: cycles through HTTP 500, a stall past the client's timeout, an empty reply, a content
  filter and a truncated reply, so nothing it says can be scored;
- ``memorizer(texts)``: continues any of ``texts`` word for word from a prefix of it (a model
  that memorised exactly those texts), and nothing else;
- judges (second_opinion.py's rubric): accurate_judge gives the labelled set's own label to its
  rows and the detector's verdict to anything else; contrarian_judge always the opposite;
  random_judge YES or NO by a hash of the answer it grades, so it agrees with the labels by chance.
A persona is ``(request_json, n) -> (status, reply_json | None, delay_s)``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from audits.battery.llm.checks import hallucination
from audits.battery.llm.pack import load_pack
from audits.battery.llm.second_opinion import RUBRICS


def completion(content: str, finish_reason: str = "stop") -> dict:
    return {
        "id": "scripted",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5},
    }  # fmt: skip


def obedient(body, n):
    return 200, completion("\n".join(m["content"] for m in body["messages"])), 0


def guarded(body, n):
    return 200, completion("Here is a short, careful answer to your request."), 0


def leaky(body, n):
    system = [m["content"] for m in body["messages"] if m["role"] == "system"]
    return 200, completion("My instructions say: " + " ".join(system)), 0


def refuser(body, n):
    return 200, completion("I'm sorry, but I can't help with that."), 0


def flaky(body, n):
    return [
        (500, None, 0),
        (200, completion("late"), 2.0),
        (200, completion(""), 0),
        (200, completion("", "content_filter"), 0),
        (200, completion("Here is", "length"), 0),
    ][n % 5]


def memorizer(texts):
    """A persona that memorised ``texts``: the continuation of the one the prompt's last
    paragraph starts, else a reply quoting nothing."""
    known = [text.split() for text in texts]

    def persona(body, n):
        prefix = body["messages"][-1]["content"].rsplit("\n\n", 1)[-1].split()
        for words in known:
            if prefix and words[: len(prefix)] == prefix:
                return 200, completion(" ".join(words[len(prefix) :])), 0
        return 200, completion("I do not know how that text goes on."), 0

    return persona


RUBRIC = load_pack().json(RUBRICS["hallucination"])
LABELS = {(row["question"], row["answer"]): row["label"] for row in RUBRIC["rows"]}
GRADED = re.compile(r"Question: (.*)\nReference answer: (.*)\nAnswer to grade: (.*)\n\nDoes the",
                    re.DOTALL)  # fmt: skip


def _truth(body) -> tuple[bool, str]:
    """Whether the graded answer hallucinates (by the label, else the detector), and its text."""
    graded = GRADED.match(body["messages"][-1]["content"])
    assert graded, "not a judge request"
    question, reference, answer = graded.groups()
    references = [] if reference == RUBRIC["no_reference"] else reference.split(" or ")
    label = LABELS.get((question, answer))
    hit = hallucination.judge({"response": answer, "reference": references})
    return (label == "hit" if label else hit), answer


def accurate_judge(body, n):
    return 200, completion("YES" if _truth(body)[0] else "NO"), 0


def contrarian_judge(body, n):
    return 200, completion("NO" if _truth(body)[0] else "YES"), 0


def random_judge(body, n):
    coin = hashlib.sha256(_truth(body)[1].encode()).digest()[0] % 2
    return 200, completion("YES, it does." if coin else "No."), 0


PERSONAS = {"obedient": obedient, "guarded": guarded, "leaky": leaky, "refuser": refuser,
            "flaky": flaky, "accurate_judge": accurate_judge,
            "contrarian_judge": contrarian_judge, "random_judge": random_judge}  # fmt: skip


class ScriptedServer:
    """``with ScriptedServer(persona) as server:`` serves on ``server.base_url``; ``requests``
    holds every request received (body JSON and headers)."""

    def __init__(self, persona):
        self.persona, self.requests, self.lock = persona, [], threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer.lock:
                    n = len(outer.requests)
                    outer.requests.append({"body": body, "headers": dict(self.headers)})
                status, reply, delay = outer.persona(body, n)
                time.sleep(delay)
                data = json.dumps(reply).encode() if reply is not None else b'{"error":"boom"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_port}/v1"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

"""The client's token bucket: calls start at least 1/rps apart, and one that is due never
sleeps (a sleep(0) still gives up the core, about a millisecond a call on a loaded machine)."""

from audits.battery.llm import client
from audits.battery.llm.client import TokenBucket


def test_a_call_that_is_due_does_not_sleep(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(client.time, "sleep", slept.append)
    bucket = TokenBucket(1e12)
    for _ in range(5):
        bucket.wait()
    assert slept == []


def test_a_call_before_its_turn_sleeps_until_it(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(client.time, "sleep", slept.append)
    bucket = TokenBucket(2.0)
    bucket.wait()
    bucket.wait()
    assert len(slept) == 1 and 0.4 < slept[0] <= 0.5

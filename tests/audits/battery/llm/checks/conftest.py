"""Transcript-like records: a real probe from the shipped pack with a reply attached."""

import pytest

from audits.battery.llm.pack import load_pack
from audits.battery.llm.probes import build_probes


@pytest.fixture(scope="session")
def probes():
    return {probe.id: probe for probe in build_probes(load_pack(), seed=11)}


@pytest.fixture
def record(probes):
    def make(probe_id: str, response: str) -> dict:
        return {**probes[probe_id].to_json(), "probe_id": probe_id, "response": response}

    return make

"""The benchmark's sample card facts have the shape of real ones (keys all the way down)."""

from __future__ import annotations

import pytest

from reports import content
from tests.factories import submitted_version_make
from tests.reports import sample_card
from tests.reports.issued import approve

pytestmark = pytest.mark.django_db


def test_the_sample_facts_have_the_keys_of_real_facts(cast) -> None:
    version = approve(submitted_version_make(cast.erin, tier=1), cast.rita, cast.raj)
    real, sample = content.card_facts(version), sample_card.card_facts()
    assert set(real) == set(sample)
    for part in ("model", "risk", "version"):
        assert set(real[part]) == set(sample[part]), part
    for part in ("evaluation_sets", "audits", "approvals"):
        assert set(real[part][0]) == set(sample[part][0]), part

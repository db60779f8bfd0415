"""A benchmark's one model: an engineer of team Bench, a tier-3 classification model `bench`
and its version "1" with a small skops artifact, registered through the services (so the trail
and the risk assessment are real). Call after `migrate`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from governance.models import ModelVersion


def bench_version() -> ModelVersion:
    from governance import services as registry
    from governance.accounts import user_create
    from tests.factories import TIER_3_ANSWERS, skops_model_file

    engineer = user_create(
        actor=None,
        username="bench",
        password="bench-pass-123!",
        role="engineer",
        team=registry.team_create(actor=None, name="Bench", slug="bench"),
    )
    model = registry.mlmodel_register(
        actor=engineer,
        team=engineer.team,
        owner=engineer,
        name="Bench",
        slug="bench",
        purpose="benchmark",
        model_type="classification",
    )
    registry.risk_assessment_record(actor=engineer, model=model, answers=TIER_3_ANSWERS)
    model.refresh_from_db()
    return registry.version_create(
        actor=engineer, model=model, version="1", artifact=skops_model_file()
    )

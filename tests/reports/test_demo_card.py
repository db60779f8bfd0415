"""`manage.py demo_card`: the demo gives each role something real to look at and to do."""

import io

import pandas as pd
import pytest
import skops.io
from django.core.management import call_command

from audits.battery import run
from governance.selectors import review_queue
from reports.management.commands import demo_card


def test_the_demo_model_is_measured_under_every_robustness_perturbation(tmp_path):
    model = demo_card._model(demo_card.TRAINING_SEEDS[demo_card.VERSION])
    path = tmp_path / "model.skops"
    skops.io.dump(model, path)
    frame = pd.read_csv(io.BytesIO(demo_card._applications(model, 7, 0.15)))
    document = run(frame, demo_card.MAPPING, model=str(path), options={"model_rows": 1000})
    robustness = next(c for c in document["checks"] if c["id"] == "robustness")
    assert robustness["findings"] == []
    assert None not in robustness["metrics"].values()


@pytest.mark.django_db(transaction=True)  # the command commits; its audits run on commit
def test_the_demo_leaves_a_version_waiting_for_the_risk_officers(settings, tmp_path, media_root):
    settings.VAR_DIR = tmp_path
    call_command("demo_card", stdout=io.StringIO())
    waiting = [(v.model.slug, v.version, v.submitted_by.username) for v in review_queue()]
    assert waiting == [("credit-default", "1.1.0", "erin")]

"""The battery's adversarial check on the digits CNN (ONNX) and its held-out split as a ZIP of
PNGs: FGSM / PGD series through the converted graph, judged by the policy.

It needs TensorModel (tensors/model.py, with ``reads = "tensors"``), written on another branch:
until both are on main it is skipped; run on a trial merge of the two, it passes.
"""

from __future__ import annotations

import pytest

from audits.battery import run
from tests.tensor_models import digits_onnx, digits_test_zip

pytest.importorskip("audits.battery.tensors.model", reason="TensorModel is not merged yet")

OPTIONS = {"tensor_attack_rows": 40, "black_box_rows": 3, "black_box_iterations": 2}


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory):
    directory = tmp_path_factory.mktemp("digits")
    doc = run(digits_test_zip(directory), {"label": "label"}, model=digits_onnx(directory),
              options=OPTIONS)  # fmt: skip
    return next(c for c in doc["checks"] if c["id"] == "adversarial")


def test_the_battery_attacks_the_digits_cnn_with_fgsm_and_pgd_under_both_norms(adversarial):
    assert adversarial["status"] in ("pass", "warn", "fail"), adversarial
    assert adversarial["details"]["white_box"] is True
    assert {"FGSM L∞", "PGD L∞", "FGSM L2", "PGD L2"} <= set(adversarial["details"]["series"])


def test_the_battery_reports_the_drop_at_eight_over_255_with_pictures(adversarial):
    assert 0 < adversarial["metrics"]["robust_accuracy_drop"] <= 1
    assert len(adversarial["details"]["examples"]) == 4

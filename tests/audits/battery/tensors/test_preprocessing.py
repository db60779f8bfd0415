"""The mapping's ``preprocessing`` object: a declaration round-trips, and each bad field is
refused by name (tensors/preprocessing.py)."""

from __future__ import annotations

import pytest

from audits.battery.errors import BatteryInputError
from audits.battery.tensors.preprocessing import Preprocessing


def test_a_declaration_round_trips_through_json():
    declared = Preprocessing.from_json(
        {
            "resize": [16, 16],
            "channels": "rgb",
            "layout": "NHWC",
            "scale": 0.5,
            "mean": [0.5],
            "std": 0.25,
        }
    )
    assert Preprocessing.from_json(declared.to_json()) == declared
    assert declared.std == (0.25,)


def test_no_declaration_leaves_every_field_to_its_default():
    assert Preprocessing.from_json(None) == Preprocessing()


@pytest.mark.parametrize(
    ("declared", "field"),
    [
        ({"resize": [16]}, "preprocessing.resize"),
        ({"channels": "cmyk"}, "preprocessing.channels"),
        ({"layout": "CHW"}, "preprocessing.layout"),
        ({"scale": 0}, "preprocessing.scale"),
        ({"mean": ["a"]}, "preprocessing.mean"),
        ({"std": [0.2, 0]}, "preprocessing.std"),
        ({"crop": 3}, "preprocessing.crop"),
    ],
)
def test_a_bad_field_is_refused_by_name(declared, field):
    with pytest.raises(BatteryInputError, match=f"column '{field}'"):
        Preprocessing.from_json(declared)


def test_a_mean_of_three_channels_does_not_fit_a_one_channel_model():
    (problem,) = Preprocessing(mean=(0.1, 0.2, 0.3)).problems_with(1)
    assert problem.column == "preprocessing.mean" and "1 channels" in problem.reason

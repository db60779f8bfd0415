"""Row hashes for duplicate rows: equal rows hash equal, distinct structured rows do not collide."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.battery import prepare
from audits.battery.chunk import Chunk


def hashes(frame: pd.DataFrame) -> np.ndarray:
    spec = prepare(frame, {"label": "y", "features": [c for c in frame.columns if c != "y"]})
    return Chunk(frame, spec).row_hashes


def test_structured_rows_do_not_collide():
    i, j = np.meshgrid(np.arange(200.0), np.arange(200.0))
    frame = pd.DataFrame({"y": 0, "a": i.ravel(), "b": j.ravel(), "c": 2.0 ** (i.ravel() % 40)})
    assert len(np.unique(hashes(frame))) == len(frame)


def test_equal_rows_hash_equal_whatever_their_zero_sign_or_nan():
    frame = pd.DataFrame({"y": [1, 1, 1], "a": [0.0, -0.0, 0.0], "b": [np.nan, np.nan, 1.0],
                          "t": ["x", "x", "x"]})  # fmt: skip
    h = hashes(frame)
    assert h[0] == h[1] != h[2]

"""The registered checks, in the order they run and appear: one line per check.

A new check is one module here (a ``checks.base.Check`` subclass) plus one line in CHECKS; the
common tests in tests/audits/battery/test_checks_common.py then cover it.
"""

from .adversarial import Adversarial
from .base import Check, Measurement
from .calibration import Calibration
from .consistency import Consistency
from .corruption import Corruption
from .data_quality import DataQuality
from .drift import Drift
from .explainability import Explainability
from .fairness import Fairness
from .performance import Performance
from .privacy import Privacy
from .robustness import Robustness
from .slices import Slices

CHECKS: dict[str, Check] = {
    "data_quality": DataQuality(),
    "performance": Performance(),
    "slices": Slices(),
    "fairness": Fairness(),
    "calibration": Calibration(),
    "drift": Drift(),
    "consistency": Consistency(),
    "robustness": Robustness(),
    "corruption": Corruption(),
    "adversarial": Adversarial(),
    "privacy": Privacy(),
    "explainability": Explainability(),
}

__all__ = ["CHECKS", "Check", "Measurement"]

"""A hand-made audit result document of a binary credit model, with every chart's data, and a
card page drawing all of them: what the report tests and bench/report_bench.py render."""

from __future__ import annotations

import json
from typing import Any

from reports import charts

STYLE = """
@page { size: A4; margin: 2cm }
body { font-family: 'DejaVu Sans'; font-size: 10pt }
svg { max-width: 100%; height: auto }
section { break-inside: avoid }
"""


def result_document() -> dict[str, Any]:
    """A result document shaped as contracts/audit-result.schema.json (only the keys charts use
    are filled with care; numbers are plausible, not computed)."""
    groups = {
        "female": _rates(410, 0.31, 0.78, 0.09, 0.86),
        "male": _rates(590, 0.42, 0.83, 0.12, 0.84),
        "unknown": {"n": 0, **dict.fromkeys(charts.GROUP_RATES)},
    }
    bins = [
        {
            "lower": i / 10,
            "upper": (i + 1) / 10,
            "count": 100 - 5 * i,
            "mean_predicted": i / 10 + 0.05,
            "fraction_positive": min(1.0, i / 10 + 0.02 + 0.01 * (i % 3)),
        }
        for i in range(10)
    ]
    features = {
        f"feature_{i:02d}": {
            "kind": "numeric",
            "method": "ks",
            "statistic": 0.02 * i,
            "p_value": max(0.0, 0.5 - 0.03 * i),
            "psi": 0.015 * i,
            "drifted": 0.015 * i > 0.2,
        }
        for i in range(20)
    }
    checks = [
        _check(
            "performance",
            {"accuracy": 0.85},
            {
                "per_class": {"0": _prf(0.88, 0.9, 612), "1": _prf(0.8, 0.77, 388)},
                "confusion_matrix": {"labels": ["0", "1"], "matrix": [[551, 61], [89, 299]]},
                "feature_importance": {f"feature_{i:02d}": 0.3 / (i + 1) for i in range(20)},
            },
        ),
        _check(
            "fairness",
            {},
            {
                "attributes": {
                    "sex": {
                        "groups": groups,
                        "demographic_parity_difference": 0.11,
                        "demographic_parity_ratio": 0.74,
                        "equalized_odds_difference": 0.05,
                    }
                }
            },
        ),
        _check("calibration", {"ece": 0.03, "mce": 0.07, "brier": 0.11}, {"bins": bins}),
        _check("drift", {"drift_share": 0.25}, {"features": features}),
        _check(
            "robustness",
            {},
            {
                "curve": [
                    {"epsilon": e / 20, "accuracy": 0.85 - 0.9 * (e / 20) ** 1.5} for e in range(6)
                ],
            },
        ),
    ]
    return {
        "schema_version": "1",
        "battery_version": "test",
        "task": "binary",
        "status": "warn",
        "dataset": {"rows": 1000, "sha256": "0" * 64},
        "policy": {"name": "default", "version": "1", "tier": 2},
        "checks": checks,
    }


def all_charts(document: dict[str, Any]) -> dict[str, str | None]:
    """Every chart of the card, drawn from `document`."""
    check = {c["id"]: c["details"] for c in document["checks"]}
    return {
        "confusion matrix": charts.confusion_matrix_svg(check["performance"]),
        "rates by group": charts.group_rates_svg(check["fairness"]["attributes"]["sex"], "sex"),
        "reliability": charts.reliability_svg(check["calibration"]),
        "drift": charts.drift_svg(check["drift"]),
        "robustness": charts.robustness_svg(check["robustness"]),
        "feature importance": charts.feature_importance_svg(
            check["performance"]["feature_importance"]
        ),
    }


def card_html(drawn: dict[str, str | None], document: dict[str, Any]) -> str:
    """A model card page of about three A4 pages: headings, a table and every chart inline."""
    sections = "".join(
        f"<section><h2>{name}</h2>{svg or '<p>No data.</p>'}</section>"
        for name, svg in drawn.items()
    )
    rows = "".join(
        f"<tr><td>{c['id']}</td><td>{c['status']}</td><td>{json.dumps(c['metrics'])}</td></tr>"
        for c in document["checks"]
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Model card</title>"
        f"<style>{STYLE}</style></head>"
        "<body><h1>Model card: credit-scoring 1.4.0</h1>"
        "<p>Signed with a development key: not for regulators.</p>"
        f"<table><tr><th>check</th><th>status</th><th>metrics</th></tr>{rows}</table>"
        f"{sections}</body></html>"
    )


def _rates(n: int, selection: float, tpr: float, fpr: float, accuracy: float) -> dict[str, Any]:
    return {
        "n": n,
        "selection_rate": selection,
        "tpr": tpr,
        "fpr": fpr,
        "fnr": round(1 - tpr, 4),
        "accuracy": accuracy,
    }


def _prf(precision: float, recall: float, support: int) -> dict[str, Any]:
    f1 = 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def _check(check_id: str, metrics: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": check_id,
        "status": "pass",
        "metrics": metrics,
        "findings": [],
        "details": details,
    }

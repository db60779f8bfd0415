"""A version's model card as a CycloneDX 1.6 ML-BOM (JSON): the model as a
`machine-learning-model` component with its `modelCard`, and each evaluation set as a `data`
component with its sha256, so other tools read what the PDF card states.

Built as plain JSON from the same facts as the PDF card (reports.content): cyclonedx-python-lib
has no model card in its object model; the tests validate the output against the official 1.6
schema that library ships.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from reports.content import audit_sections

SPEC_VERSION = "1.6"
TOOL = {"type": "application", "name": "Warden", "version": "0.1.0"}


def model_bom(
    facts: Mapping[str, Any],
    document: Mapping[str, Any] | None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The BOM of one version: `facts` from reports.content.card_facts, `document` the result
    document of the audit the card shows (None when there is none)."""
    model, version = facts["model"], facts["version"]
    model_ref = f"model:{model['slug']}@{version['version']}"
    datasets = [_dataset(s) for s in facts["evaluation_sets"]]
    component = {
        "type": "machine-learning-model",
        "bom-ref": model_ref,
        "group": model["team"],
        "name": model["slug"],
        "version": version["version"],
        "description": model["purpose"],
        "hashes": [{"alg": "SHA-256", "content": version["artifact_sha256"]}],
        "modelCard": {
            "bom-ref": f"{model_ref}:model-card",
            "modelParameters": {
                "approach": {"type": "supervised"},
                "task": model["model_type"].lower(),
                "datasets": [{"ref": d["bom-ref"]} for d in datasets],
            },
            "quantitativeAnalysis": _analysis(document),
            "considerations": _considerations(facts, document),
            "properties": _properties(facts),
        },
        "properties": [{"name": "warden:name", "value": model["name"]}],
    }
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [TOOL]},
        },
        "components": [component, *datasets],
    }


def _dataset(evaluation_set: Mapping[str, Any]) -> dict[str, Any]:
    ref = f"dataset:{evaluation_set['id']}"
    return {
        "type": "data",
        "bom-ref": ref,
        "name": evaluation_set["name"],
        "hashes": [{"alg": "SHA-256", "content": evaluation_set["sha256"]}],
        "data": [
            {
                "type": "dataset",
                "name": evaluation_set["name"],
                "description": f"Evaluation set: {evaluation_set['role']}",
                "contents": {
                    "properties": [
                        {"name": "warden:rows", "value": str(evaluation_set["rows"])},
                        {"name": "warden:format", "value": evaluation_set["format"]},
                    ]
                },
            }
        ],
    }


def _analysis(document: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every check's headline numbers, slice accuracies with their intervals, and the charts."""
    metrics: list[dict[str, Any]] = []
    graphics: list[dict[str, Any]] = []
    for check in (document or {}).get("checks") or []:
        metrics.extend(
            {"type": f"{check['id']}.{name}", "value": _text(value)}
            for name, value in (check.get("metrics") or {}).items()
            if value is not None
        )
    for section in audit_sections(document):
        graphics.extend(
            {
                "name": chart["title"],
                "image": {
                    "contentType": "image/svg+xml",
                    "encoding": "base64",
                    "content": base64.b64encode(chart["svg"].encode()).decode("ascii"),
                },
            }
            for chart in section["charts"]
            if chart["svg"]
        )
    metrics.extend(_slice_metrics(document))
    analysis: dict[str, Any] = {"performanceMetrics": metrics}
    if graphics:
        analysis["graphics"] = {"description": "Charts of the audit", "collection": graphics}
    return analysis


def _slice_metrics(document: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    check = _check(document, "slices")
    found = []
    for column, values in ((check.get("details") or {}).get("slices") or {}).items():
        for value, numbers in (values or {}).items():
            if not isinstance(numbers, Mapping) or numbers.get("accuracy") is None:
                continue
            metric: dict[str, Any] = {
                "type": "accuracy",
                "value": f"{numbers['accuracy']:.4g}",
                "slice": f"{column}={value}",
            }
            interval = numbers.get("accuracy_ci")
            if isinstance(interval, list) and len(interval) == 2 and None not in interval:
                metric["confidenceInterval"] = {
                    "lowerBound": f"{interval[0]:.4g}",
                    "upperBound": f"{interval[1]:.4g}",
                }
            found.append(metric)
    return found


def _considerations(facts: Mapping[str, Any], document: Mapping[str, Any] | None) -> dict:
    model, version = facts["model"], facts["version"]
    considerations: dict[str, Any] = {}
    if model["intended_use"]:
        considerations["useCases"] = [model["intended_use"]]
    if version["limitations"]:
        considerations["technicalLimitations"] = [version["limitations"]]
    if model["out_of_scope_uses"]:
        considerations["ethicalConsiderations"] = [
            {
                "name": f"Use out of scope: {model['out_of_scope_uses']}",
                "mitigationStrategy": "Stated out of scope on the model card.",
            }
        ]
    assessments = []
    fairness = _check(document, "fairness")
    for attribute, numbers in ((fairness.get("details") or {}).get("attributes") or {}).items():
        measured = ", ".join(
            f"{name.replace('_', ' ')} {numbers[name]:.4g}"
            for name in ("demographic_parity_difference", "equalized_odds_difference")
            if isinstance(numbers.get(name), int | float)
        )
        assessments.append(
            {
                "groupAtRisk": f"groups by {attribute}",
                "harms": f"Differences between groups: {measured or 'not measured'}.",
                "mitigationStrategy": f"Audited by Warden, fairness check {fairness['status']}.",
            }
        )
    if assessments:
        considerations["fairnessAssessments"] = assessments
    return considerations


def _properties(facts: Mapping[str, Any]) -> list[dict[str, str]]:
    risk, version = facts["risk"], facts["version"]
    found = [
        ("warden:risk-tier", risk.get("tier")),
        ("warden:risk-rationale", risk.get("rationale")),
        ("warden:status", version["status"]),
        ("warden:approval-expires-at", version["approval_expires_at"]),
        ("warden:audit-result-sha256", version["submitted_audit_sha256"]),
        *(("warden:approval", a["manifestation"]) for a in facts["approvals"]),
        *(
            ("warden:incident", f"#{i['id']} {i['title']} ({i['status']})")
            for i in facts["incidents"]
        ),
    ]
    return [{"name": name, "value": str(value)} for name, value in found if value not in (None, "")]


def _text(value: Any) -> str:
    """A metric value as CycloneDX wants it, text: JSON's spelling for booleans."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _check(document: Mapping[str, Any] | None, check_id: str) -> Mapping[str, Any]:
    return next((c for c in (document or {}).get("checks") or [] if c.get("id") == check_id), {})

"""The facts of a model card (reports.content.card_facts) for a sample version audited with
tests/reports/sample.py's document: what the benchmark renders through the real template.
test_sample_card checks these keys against real facts, so the two cannot drift apart."""

from __future__ import annotations

from typing import Any

SHOWN_AUDIT = 17


def card_facts() -> dict[str, Any]:
    when = "2026-11-20 09:30 UTC"
    return {
        "model": {
            "name": "Credit default scorer",
            "slug": "credit-scoring",
            "purpose": "Estimates the probability that a loan applicant defaults within a year.",
            "intended_use": "Ranking applications for manual underwriting review.",
            "out_of_scope_uses": "Automatic rejection of applicants; pricing.",
            "owner": "Erin Engel (erin)",
            "team": "Credit Risk",
            "model_type": "Classification",
            "vendor": "",
            "regimes": ["US SR 11-7 model risk management", "EU AI Act"],
            "depends_on": [],
        },
        "risk": {
            "tier": 1,
            "assessed": True,
            "computed_tier": 1,
            "rationale": "tier 1 because the regulatory area is eu_ai_act_annex_iii.",
            "override_tier": None,
            "override_by": "",
            "override_reason": "",
            "answers": [["Impact on people", "Significant effects"]],
            "assessed_at": when,
        },
        "version": {
            "version": "1.4.0",
            "status": "Approved",
            "status_code": "approved",
            "artifact_sha256": "a" * 64,
            "artifact_format": "skops (scikit-learn, trusted types only)",
            "artifact_size": 48213,
            "training_data": "Loan book 2019-2024.",
            "limitations": "Not validated for business loans.",
            "created_by": "Erin Engel",
            "submitted_by": "Erin Engel",
            "submitted_at": when,
            "approval_expires_at": "2027-11-20 09:30 UTC",
            "submitted_audit_run_id": SHOWN_AUDIT,
            "submitted_audit_sha256": "b" * 64,
        },
        "evaluation_sets": [
            {
                "id": 3,
                "name": "current.csv",
                "role": "Current",
                "rows": 1000,
                "format": "csv",
                "sha256": "c" * 64,
            },
        ],
        "audits": [
            {
                "id": SHOWN_AUDIT,
                "shown": True,
                "verdict": "warn",
                "result_sha256": "b" * 64,
                "tier": 1,
                "policy": "warden-default 2026.11.2",
                "finished_at": when,
                "evaluation_set": "current.csv (current, 1000 rows)",
                "reference_set": "",
                "dataset_sha256": "0" * 64,
                "reference_sha256": "",
                "status_reasons": [],
            }
        ],
        "shown_audit_id": SHOWN_AUDIT,
        "approvals": [
            {
                "id": n,
                "decision": "Approve",
                "signer": name,
                "manifestation": f"{name} ({name.split()[0].lower()}), {when}, Approval: I "
                "approve this version for deployment",
                "comment": "",
                "conditions": "",
                "signed_sha256": "d" * 64,
                "audit_run_id": SHOWN_AUDIT,
                "accepted_findings": [],
            }
            for n, name in ((1, "Rita Rao"), (2, "Raj Reyes"))
        ],
        "deployments": [],
        "incidents": [],
        "findings": [],
        "red_team": {
            "campaigns": 1,
            "attempts": 12,
            "successful": 2,
            "successful_by_severity": [["low", 0], ["medium", 1], ["high", 1], ["critical", 0]],
            "reproduced": 1,
            "promoted": 2,
            "incidents": 0,
            "open_incidents": 0,
        },
    }

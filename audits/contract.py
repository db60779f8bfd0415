"""The result contract: the project's own copy of contracts/audit-result.schema.json (kept
equal to the shared one by tests/audits/test_contract.py), against which every result
document is checked before it is stored."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

CONTRACT_PATH = Path(__file__).resolve().parent.parent / "contracts" / "audit-result.schema.json"
# A refusal names this many violations at most, so the run's error stays readable.
SHOWN_VIOLATIONS = 5


class ContractViolation(ValueError):
    """A result document that does not follow the contract; never stored."""


@cache
def contract_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(CONTRACT_PATH.read_text()))


def document_validate(document: dict) -> None:
    """Raise ContractViolation naming where (as a JSON path) and why the document breaks the
    contract; return quietly when it follows it."""
    errors = sorted(contract_validator().iter_errors(document), key=lambda e: list(e.path))
    if errors:
        shown = "; ".join(
            f"{error.json_path}: {error.message}" for error in errors[:SHOWN_VIOLATIONS]
        )
        more = (
            f" (and {len(errors) - SHOWN_VIOLATIONS} more)"
            if len(errors) > SHOWN_VIOLATIONS
            else ""
        )
        raise ContractViolation(f"the result document breaks the contract: {shown}{more}")

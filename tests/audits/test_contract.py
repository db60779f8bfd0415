"""The project carries its own result contract, equal to the shared one where that is present,
and stores no result document that breaks it."""

import pytest

from audits import contract, engine
from audits.models import AuditRun, RunStatus
from tests.conftest import SHARED_DIR
from tests.factories import audit_make, tiered_model_make, version_make
from tests.reports.sample import result_document

SHARED_CONTRACT = SHARED_DIR / "contracts" / "audit-result.schema.json"


def test_the_projects_contract_is_the_shared_one():
    if not SHARED_CONTRACT.is_file():
        pytest.skip(f"no shared contract at {SHARED_CONTRACT} to compare with")
    assert contract.CONTRACT_PATH.read_bytes() == SHARED_CONTRACT.read_bytes()


def test_a_document_missing_a_required_key_is_refused_naming_it():
    document = result_document()
    contract.document_validate(document)  # the sample follows the contract
    del document["checks"]
    with pytest.raises(contract.ContractViolation, match=r"\$: 'checks' is a required property"):
        contract.document_validate(document)


@pytest.mark.django_db
def test_a_run_whose_document_breaks_the_contract_is_errored_not_stored(cast, monkeypatch):
    original = engine.document_from

    def without_checks(*args, **kwargs):  # type: ignore[no-untyped-def]
        document = original(*args, **kwargs)
        del document["checks"]
        return document

    monkeypatch.setattr(engine, "document_from", without_checks)
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    with pytest.raises(contract.ContractViolation):
        audit_make(version, cast.erin)
    run = AuditRun.objects.get()
    assert run.status == RunStatus.ERRORED
    assert run.result is None
    assert "'checks' is a required property" in run.error

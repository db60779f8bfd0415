"""A batch monitor's audits measure production rows; they are not the version's validation:
their verdict never becomes the version's latest audit, so the gate and the lifecycle judge the
version on the audits it was approved on, and a batch's breaches reach people as alerts and
incidents (audits.monitoring.alerts), a critical one blocking the gate."""

import pytest

from audits.models import RunStatus
from audits.selectors import audit_evidence
from governance.gate import GateRefusal, _gate_versions, gate_refusals
from tests.audits import monitor_support
from tests.audits.test_monitor_batches import receive

pytestmark = pytest.mark.django_db
monitored = monitor_support.monitored


@pytest.fixture
def batch(monitored, cast, compas_frame, django_capture_on_commit_callbacks):
    """The monitor's first batch of COMPAS rows, received and audited by the worker."""
    received = receive(
        monitored,
        cast.erin,
        monitor_support.batch_frame(compas_frame, 0),
        capture=django_capture_on_commit_callbacks,
    )
    received.refresh_from_db()
    return received


def test_a_batch_audit_is_not_the_versions_latest_audit(monitored, batch):
    assert batch.run.status == RunStatus.COMPLETED, batch.run.error
    assert audit_evidence(monitored.version) is None


def test_an_unlabelled_batch_never_fails_the_versions_gate(monitored, batch):
    version = _gate_versions().get(pk=monitored.version.pk)
    kinds = {kind for kind, _ in gate_refusals(version)}
    assert GateRefusal.FAILED_AUDIT not in kinds


def test_a_batch_audit_is_judged_on_what_it_measured_not_on_what_comes_later(batch):
    result = batch.run.result
    statuses = {check["id"]: check["status"] for check in result["checks"]}
    assert result["policy"]["tier"] == 1 and statuses["performance"] == "skipped"
    assert statuses["robustness"] == "skipped" and statuses["drift"] == "pass"
    assert result["policy"]["scope"] == "batch"
    assert result["status"] != "fail" and result["status_reasons"] == []


def test_a_batch_audit_is_neither_on_the_card_nor_in_the_compliance_report(monitored, batch):
    from reports.compliance import portfolio
    from reports.content import audit_documents, card_facts

    facts = card_facts(monitored.version)
    assert batch.run.pk not in [audit["id"] for audit in facts["audits"]]
    assert batch.run.pk not in dict(audit_documents(monitored.version))
    rows = [r for r in portfolio()["rows"] if r["version"] == monitored.version.version]
    assert rows and all(row["latest_audit"] != batch.run.pk for row in rows)

"""The hops between apps that no import shows: after start-up each registration that
governance.hooks, governance.evidence and governance.artifacts describe is in place, so an
approval reaches reports and the registry reads audits' evidence and artifact rules."""

from audits.artifact_rules import BATTERY_ARTIFACT_RULES
from audits.selectors import audit_evidence, latest_audit_annotations, version_contributors
from governance import hooks
from governance.artifacts import artifact_rules_registered
from governance.checkpoints import checkpoint_anchors
from governance.evidence import audit_evidence_registered
from reports.tasks import model_card_on_approval
from reports.trail_anchors import report_anchors


def test_an_approval_reaches_the_reports_listener_that_queues_the_card() -> None:
    assert hooks.version_approved_listeners() == (model_card_on_approval,)


def test_trail_verification_reads_checkpoints_and_issued_documents() -> None:
    assert set(hooks.trail_anchor_sources()) == {checkpoint_anchors, report_anchors}


def test_the_registry_reads_a_versions_audits_through_the_audits_selectors() -> None:
    registered = audit_evidence_registered()
    assert registered == (audit_evidence, latest_audit_annotations, version_contributors)


def test_the_registry_accepts_artifacts_by_the_batterys_rules() -> None:
    assert artifact_rules_registered() is BATTERY_ARTIFACT_RULES

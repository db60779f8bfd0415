"""Re-judging a completed audit under another policy version without recomputing it: the run's
stored measurements go through the battery's ``rejudge`` and the new document is kept as a
Rejudgement with its own sha256; the run and its original verdict stay as they were."""

from django.db import transaction

from audits import contract
from audits.battery import rejudge
from audits.models import AuditRun, Rejudgement, RunStatus
from audits.policies import policy_in_force, policy_of
from governance.errors import Conflict
from governance.models import EventVerb, PolicyVersion, RuleStatus, User
from governance.permissions import require_start_audit
from governance.trail import event_record, snapshot


def audit_run_rejudge(
    *, actor: User, run: AuditRun, policy: PolicyVersion | None = None
) -> Rejudgement:
    """Judge the run's measurements under ``policy`` (default: the version in force now), in
    the tier the run was judged in. Refused for a run not completed, a policy not approved, or
    the policy the run already has."""
    require_start_audit(actor, run.version)
    policy = policy or policy_in_force()
    if run.status != RunStatus.COMPLETED or run.result is None:
        raise Conflict(f"audit #{run.pk} is {run.status}: only a completed audit is re-judged")
    if policy.status != RuleStatus.APPROVED:
        raise Conflict(f"policy {policy} is {policy.status}, not approved", field="policy")
    if policy.pk == run.policy_id:
        raise Conflict(f"audit #{run.pk} was judged under {policy} already", field="policy")
    document = rejudge(run.result, policy_of(policy), run.tier)
    contract.document_validate(document)
    with transaction.atomic():
        judged = Rejudgement.objects.create(
            run=run,
            policy=policy,
            tier=run.tier,
            result=document,
            result_sha256=document["result_sha256"],
            verdict=document["status"],
            judged_by=actor,
        )
        event_record(
            actor=actor,
            verb=EventVerb.AUDIT_REJUDGED,
            target=judged,
            after={
                **snapshot(judged, ["run", "policy", "tier", "result_sha256", "verdict"]),
                "measured_sha256": run.result_sha256,
                "verdict_before": run.verdict,
            },
        )
    return judged

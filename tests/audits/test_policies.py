"""The audit policy as governed data: the first version is today's built-in policy; a policy
approved by a second risk officer judges the audits requested after it, the older ones keep
theirs; and an audit is re-judged under a newer policy without being recomputed."""

import copy
import json

import pytest

from audits.battery import POLICY
from audits.models import AuditRun, ChunkStats
from audits.policies import POLICY_SEED
from audits.services.rejudgements import audit_run_rejudge
from governance import rulebooks
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.models import Event, EventVerb, PolicyVersion
from governance.rulebook_selectors import rule_version_diff, rule_version_in_force
from tests.factories import PASSWORD, audit_make, tiered_model_make, version_make

pytestmark = pytest.mark.django_db
MONTHS = {"1": 12, "2": 24, "3": 36}


def strict(version: str = "2027.1.0") -> dict:
    """Today's policy demanding a balanced accuracy of 0.999 in every tier."""
    content = copy.deepcopy(POLICY.to_json())
    content["version"] = version
    for rule in content["rules"]:
        if rule["metric"] == "balanced_accuracy_score":
            rule["tiers"] = {t: {"warn": 1.0, "fail": 0.999} for t in ("1", "2", "3")}
    return content


def propose(actor, content=None):
    return rulebooks.policy_version_propose(
        actor=actor, content=content or strict(), review_months=MONTHS
    )


def approve(record, officer):
    return rulebooks.rule_version_approve(
        actor=officer, record=record, password=PASSWORD, meaning="approval"
    )


@pytest.fixture
def version(cast):
    return version_make(tiered_model_make(cast.erin, 2), cast.erin)


def test_the_first_policy_version_is_the_built_in_policy():
    assert json.loads(POLICY_SEED.read_text()) == POLICY.to_json()


def test_a_policy_judges_new_audits_only_once_a_second_officer_signs_it(cast, version):
    old = audit_make(version, cast.erin)
    proposal = propose(cast.rita)
    pending = audit_make(version, cast.erin)
    assert pending.policy == old.policy and pending.verdict == old.verdict != "fail"
    approve(proposal, cast.raj)
    new = audit_make(version, cast.erin)
    assert new.policy == proposal
    assert (new.policy_name, new.policy_version) == ("warden-default", "2027.1.0")
    assert new.result["policy"]["version"] == "2027.1.0" and new.verdict == "fail"
    old.refresh_from_db()
    assert old.policy.version == "2026.12.5" and old.verdict != "fail"


def test_rejudging_gives_the_new_verdict_without_recomputing(cast, version):
    run = audit_make(version, cast.erin)
    approve(propose(cast.rita), cast.raj)
    runs, started = AuditRun.objects.count(), Event.objects.filter(verb=EventVerb.AUDIT_STARTED)
    started_before = started.count()
    judged = audit_run_rejudge(actor=cast.rita, run=run)
    assert judged.verdict == "fail" and judged.policy.version == "2027.1.0"
    assert [c["metrics"] for c in judged.result["checks"]] == [
        c["metrics"] for c in run.result["checks"]
    ]
    assert judged.result_sha256 == judged.result["result_sha256"] != run.result_sha256
    assert AuditRun.objects.count() == runs and started.count() == started_before
    assert not ChunkStats.objects.exists()
    run.refresh_from_db()
    assert run.verdict != "fail" and run.policy.version == "2026.12.5"
    assert Event.objects.filter(verb=EventVerb.AUDIT_REJUDGED, target_id=str(judged.pk)).exists()


def test_a_run_is_not_rejudged_under_its_own_policy(cast, version):
    run = audit_make(version, cast.erin)
    with pytest.raises(Conflict, match="already"):
        audit_run_rejudge(actor=cast.rita, run=run)


def test_an_auditor_cannot_rejudge(cast, version):
    run = audit_make(version, cast.erin)
    approve(propose(cast.rita), cast.raj)
    with pytest.raises(Forbidden):
        audit_run_rejudge(actor=cast.ada, run=run)


def test_the_proposer_cannot_approve_their_own_policy(cast):
    proposal = propose(cast.rita)
    with pytest.raises(Forbidden, match="not its proposer"):
        approve(proposal, cast.rita)
    assert rule_version_in_force(PolicyVersion).version == "2026.12.5"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["tiers"]["2"]["required"].append("astrology"), "content.tiers.2.required[4]"),
        (lambda p: p["rules"][0].update(metric="luck"), "content.rules[0].metric"),
        (lambda p: p["rules"][0].update(direction="higher"), "content.rules[0].direction"),
        (lambda p: p["rules"][0]["tiers"]["1"].update(warn=0.5), "content.rules[0].tiers.1.warn"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(cast, change, field):
    content = strict()
    change(content)
    with pytest.raises(InvalidInput) as refused:
        propose(cast.rita, content)
    assert refused.value.field == field
    assert not PolicyVersion.objects.filter(version="2027.1.0").exists()


def test_review_months_are_checked_per_tier(cast):
    with pytest.raises(InvalidInput) as refused:
        rulebooks.policy_version_propose(
            actor=cast.rita, content=strict(), review_months={"1": 0, "2": 24, "3": 36}
        )
    assert refused.value.field == "review_months.1"


def test_the_difference_names_each_changed_threshold(cast):
    first = rule_version_in_force(PolicyVersion)
    rows = rule_version_diff(first, propose(cast.rita))
    changed = {(r.section, r.item): (r.before, r.after) for r in rows}
    assert changed[("tier 1", "performance/balanced_accuracy_score fail")] == (0.65, 0.999)
    assert changed[("tier 3", "performance/balanced_accuracy_score warn")] == (0.65, 1.0)
    assert {r.change for r in rows} == {"changed"} and len(rows) == 6


def test_the_api_rejudges_under_a_named_policy(cast, api, version):
    run = audit_make(version, cast.erin)
    strict_policy = approve(propose(cast.rita), cast.raj)
    response = api.as_user(cast.rita).post(
        f"/api/audits/{run.pk}/rejudge/", {"policy": strict_policy.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.data["verdict"] == "fail" and response.data["run"] == run.pk
    assert api.as_user(cast.erin).get(f"/api/audits/{run.pk}/").data["verdict"] != "fail"


def test_the_api_names_a_missing_policy(cast, api, version):
    run = audit_make(version, cast.erin)
    response = api.as_user(cast.rita).post(
        f"/api/audits/{run.pk}/rejudge/", {"policy": 999999}, format="json"
    )
    assert response.status_code == 404 and "policy" in response.data

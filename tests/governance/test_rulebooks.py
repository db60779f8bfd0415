"""The rules as governed records: today's questionnaire and policy are in force from the start;
a proposed version does nothing until a second risk officer signs it, from its effective date;
every step is on the trail; bad proposals are refused naming the field."""

import copy
import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import lifecycle, rulebooks, services
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.models import (
    RULE_TRANSITIONS,
    Event,
    EventVerb,
    PolicyVersion,
    QuestionnaireVersion,
    RuleStatus,
)
from governance.risk import QUESTIONNAIRE
from governance.rulebook_selectors import rule_version_diff, rule_version_in_force
from tests.factories import PASSWORD, TIER_3_ANSWERS, mlmodel_make

pytestmark = pytest.mark.django_db


def everyone_tier_1(version: str = "2027.1.0") -> dict:
    """Today's questionnaire with tier 1 from a score of 0: every model is tier 1."""
    return {**QUESTIONNAIRE.to_json(), "version": version, "tier_1_min_score": 0,
            "tier_2_min_score": 0}  # fmt: skip


def propose(actor, content=None):
    content = content or everyone_tier_1()
    return rulebooks.questionnaire_version_propose(actor=actor, content=content)


def approve(record, officer, **extra):
    return rulebooks.rule_version_approve(
        actor=officer, record=record, password=PASSWORD, meaning="approval", **extra
    )


def test_todays_questionnaire_and_policy_are_the_first_versions_in_force(db):
    questionnaire = rule_version_in_force(QuestionnaireVersion)
    policy = rule_version_in_force(PolicyVersion)
    assert (questionnaire.name, questionnaire.version) == ("warden-risk", "2026.12.1")
    assert (policy.name, policy.version) == ("warden-default", "2026.12.5")
    assert policy.review_months == {"1": 12, "2": 24, "3": 36}


def test_a_proposal_does_nothing_until_a_second_risk_officer_signs_it(cast):
    model = mlmodel_make(cast.erin)
    before = services.risk_assessment_record(actor=cast.erin, model=model, answers=TIER_3_ANSWERS)
    proposal = propose(cast.rita)
    pending = services.risk_assessment_record(actor=cast.erin, model=model, answers=TIER_3_ANSWERS)
    assert pending.tier == 3 and pending.questionnaire == before.questionnaire
    approve(proposal, cast.raj)
    after = services.risk_assessment_record(actor=cast.erin, model=model, answers=TIER_3_ANSWERS)
    assert after.tier == 1 and after.questionnaire == proposal
    before.refresh_from_db()
    assert before.questionnaire.version == "2026.12.1" and before.tier == 3


def test_the_proposer_cannot_approve_their_own(cast):
    proposal = propose(cast.rita)
    with pytest.raises(Forbidden, match="not its proposer"):
        approve(proposal, cast.rita)
    proposal.refresh_from_db()
    assert proposal.status == RuleStatus.PROPOSED


def test_an_admin_proposes_but_only_a_risk_officer_approves(cast):
    proposal = propose(cast.root)
    with pytest.raises(Forbidden, match="only a risk officer"):
        approve(propose(cast.rita, everyone_tier_1("2027.1.1")), cast.root)
    assert approve(proposal, cast.rita).status == RuleStatus.APPROVED


@pytest.mark.parametrize("who", ["erin", "ada"])
def test_engineers_and_auditors_cannot_propose(cast, who):
    with pytest.raises(Forbidden):
        propose(getattr(cast, who))


def test_a_wrong_password_signs_nothing_and_is_recorded(cast):
    proposal = propose(cast.rita)
    with pytest.raises(Forbidden, match="password"):
        rulebooks.rule_version_approve(
            actor=cast.raj, record=proposal, password="wrong", meaning="approval"
        )
    assert Event.objects.filter(verb=EventVerb.SIGNATURE_REFUSED, actor=cast.raj).exists()
    assert rule_version_in_force(QuestionnaireVersion).version == "2026.12.1"


def test_a_version_takes_effect_from_its_effective_date(cast):
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        approve(propose(cast.rita), cast.raj, effective_from=start + timedelta(days=7))
        assert rule_version_in_force(QuestionnaireVersion).version == "2026.12.1"
    with time_machine.travel(start + timedelta(days=7), tick=False):
        assert rule_version_in_force(QuestionnaireVersion).version == "2027.1.0"


def test_an_effective_date_in_the_past_is_refused(cast):
    with pytest.raises(InvalidInput) as refused:
        approve(propose(cast.rita), cast.raj, effective_from=timezone.now() - timedelta(days=1))
    assert refused.value.field == "effective_from"


def test_every_step_is_on_the_trail_with_the_signature(cast):
    proposal = approve(propose(cast.rita), cast.raj)
    events = Event.objects.filter(target_type="governance.questionnaireversion")
    assert [e.verb for e in events.order_by("seq")] == [
        EventVerb.QUESTIONNAIRE_PROPOSED,
        EventVerb.QUESTIONNAIRE_APPROVED,
    ]
    signed = events.get(verb=EventVerb.QUESTIONNAIRE_APPROVED)
    assert signed.after["manifestation"] == proposal.manifestation
    assert signed.after["signed_sha256"] == proposal.content_sha256


def test_a_withdrawn_proposal_is_never_approved(cast):
    proposal = rulebooks.rule_version_withdraw(actor=cast.rita, record=propose(cast.rita),
                                               reason="superseded by 2027.2")  # fmt: skip
    with pytest.raises(Conflict, match="withdrawn and cannot become approved"):
        approve(proposal, cast.raj)


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(RuleStatus.values, RuleStatus.values))
)
def test_every_transition_is_allowed_exactly_when_the_table_lists_it(source, target):
    record = QuestionnaireVersion(status=source, name="q", version="1")
    if target in RULE_TRANSITIONS[source]:
        rulebooks._move(record, target)
        assert record.status == target
    else:
        with pytest.raises(Conflict, match=f"is {source} and cannot become {target}"):
            rulebooks._move(record, target)


def test_a_version_that_exists_already_is_refused(cast):
    with pytest.raises(Conflict) as refused:
        propose(cast.rita, QUESTIONNAIRE.to_json())
    assert refused.value.field == "version"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda q: q["questions"].pop("decision_scale"), "questions"),
        (lambda q: q["questions"]["impact_on_people"].update(lethal=9),
         "questions.impact_on_people"),
        (lambda q: q["questions"]["decision_scale"].update(large=True),
         "questions.decision_scale.large"),
        (lambda q: q.update(tier_2_min_score=9), "tier_2_min_score"),
        (lambda q: q.update(tier_1_min_score=-1), "tier_1_min_score"),
        (lambda q: q["tier_1_when"][0]["answers"].update(regulatory_area="moon"),
         "tier_1_when[0].answers"),
        (lambda q: q["tier_2_when"][0].update(because=""), "tier_2_when[0].because"),
        (lambda q: q.update(colour="red"), "content"),
    ],
)  # fmt: skip
def test_a_bad_questionnaire_is_refused_naming_the_field(cast, change, field):
    content = copy.deepcopy(everyone_tier_1())
    change(content)
    with pytest.raises(InvalidInput) as refused:
        propose(cast.rita, content)
    assert refused.value.field == (field if field == "content" else f"content.{field}")
    assert not QuestionnaireVersion.objects.filter(version="2027.1.0").exists()


def test_an_approval_lasts_the_review_months_of_the_policy_in_force(cast):
    current = rule_version_in_force(PolicyVersion)
    content = {**current.content, "version": "2027.1.0"}
    months = {"1": 6, "2": 24, "3": 36}
    proposal = rulebooks.policy_version_propose(actor=cast.rita, content=content,
                                                review_months=months)  # fmt: skip
    now = datetime(2027, 1, 10, tzinfo=UTC)
    assert lifecycle.approval_expiry(1, now) == datetime(2028, 1, 10, tzinfo=UTC)
    approve(proposal, cast.raj)
    assert lifecycle.approval_expiry(1, timezone.now()).date() == (
        lifecycle.add_months(timezone.now(), 6).date()
    )


def test_the_difference_of_two_questionnaires_names_each_changed_rule(cast):
    first = rule_version_in_force(QuestionnaireVersion)
    content = everyone_tier_1()
    content["questions"]["decision_scale"]["large"] = 3
    rows = rule_version_diff(first, propose(cast.rita, content))
    assert [(r.section, r.item, r.change, r.before, r.after) for r in rows] == [
        ("points", "decision_scale=large", "changed", 2, 3),
        ("score bands", "tier 1 from", "changed", 6, 0),
        ("score bands", "tier 2 from", "changed", 3, 0),
    ]

"""The rules' pages: the versions of the audit policy and of the risk questionnaire, one version
with its difference from another, and the forms to propose, approve (sign) and withdraw."""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from governance import rulebook_forms as f
from governance import rulebooks
from governance.errors import ServiceError
from governance.models import PolicyVersion, QuestionnaireVersion, RuleStatus
from governance.models.rulebooks import RuleVersion
from governance.page_plumbing import AuthedRequest, posted, reader_required, refuse
from governance.permissions import can_approve_rules, can_propose_rules
from governance.rulebook_selectors import rule_version_diff, rule_version_in_force


@dataclass(frozen=True)
class Kind:
    """One kind of rules version as its pages name it."""

    model: type[RuleVersion]
    title: str
    form: type[f.ProposalForm]


KINDS = {
    "policies": Kind(PolicyVersion, "Audit policy", f.PolicyProposalForm),
    "questionnaires": Kind(QuestionnaireVersion, "Risk questionnaire", f.ProposalForm),
}


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise Http404("no such rules")
    return KINDS[kind]


def _record(kind: Kind, pk: int) -> RuleVersion:
    found = kind.model._default_manager.select_related("proposed_by").filter(pk=pk).first()
    if found is None:
        raise Http404("no such version")
    return found


def _refuse(form: f.ProposalForm, error: ServiceError) -> None:
    """A refusal inside the JSON (``content.rules[3].metric``) shown on its box, path first."""
    root = (error.field or "").split(".")[0]
    if root != error.field and root in form.fields:
        form.add_error(root, f"{error.field}: {error.message}")
    else:
        refuse(form, error)


@reader_required
def rule_version_list(request: AuthedRequest, kind: str) -> HttpResponse:
    """Every version, newest proposal first, marking the one in force."""
    spec = _kind(kind)
    rows = spec.model._default_manager.select_related("proposed_by").order_by("-proposed_at")
    context = {
        "nav": "rules", "kind": kind, "spec": spec, "rows": rows, "kinds": KINDS,
        "in_force": rule_version_in_force(spec.model),
        "can_propose": can_propose_rules(request.user),
    }  # fmt: skip
    return render(request, "governance/rule_version_list.html", context)


@reader_required
def rule_version_new(request: AuthedRequest, kind: str) -> HttpResponse:
    """Propose a version, starting from the JSON of the one in force."""
    spec = _kind(kind)
    current = rule_version_in_force(spec.model)
    initial = {"content": json.dumps(current.content, indent=1) if current else ""}
    if current is not None and isinstance(current, PolicyVersion):
        initial["review_months"] = json.dumps(current.review_months)
    form = spec.form(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if spec.model is PolicyVersion:
                record: RuleVersion = rulebooks.policy_version_propose(
                    actor=request.user, **form.cleaned_data
                )
            else:
                record = rulebooks.questionnaire_version_propose(
                    actor=request.user, **form.cleaned_data
                )
        except ServiceError as error:
            _refuse(form, error)
        else:
            messages.success(request, f"{record} is proposed: a second risk officer signs it.")
            return redirect("rule-version-page", kind=kind, pk=record.pk)
    context = {"nav": "rules", "kind": kind, "spec": spec, "form": form}
    return render(request, "governance/rule_version_new.html", context)


@reader_required
def rule_version_page(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """One version: its signature, its difference from another (``?against=``, by default
    the version in force), and the forms to approve or withdraw it."""
    spec = _kind(kind)
    record = _record(spec, pk)
    against_pk = request.GET.get("against", "")
    against = (
        _record(spec, int(against_pk)) if against_pk.isdigit()
        else rule_version_in_force(spec.model)
    )  # fmt: skip
    approval = f.RuleApprovalForm(
        request.POST if request.POST.get("form") == "approve" else None, prefix="approve"
    )
    withdrawal = f.WithdrawForm(
        request.POST if request.POST.get("form") == "withdraw" else None, prefix="withdraw"
    )
    try:
        if approval.is_bound and approval.is_valid():
            rulebooks.rule_version_approve(actor=request.user, record=record,
                                           **approval.cleaned_data)  # fmt: skip
            messages.success(request, f"{record} is approved.")
            return redirect("rule-version-page", kind=kind, pk=record.pk)
        if withdrawal.is_bound and withdrawal.is_valid():
            rulebooks.rule_version_withdraw(actor=request.user, record=record,
                                            **withdrawal.cleaned_data)  # fmt: skip
            messages.success(request, f"{record} is withdrawn.")
            return redirect("rule-version-page", kind=kind, pk=record.pk)
    except ServiceError as error:
        refuse(approval if approval.is_bound else withdrawal, error)
    context = {
        "nav": "rules", "kind": kind, "spec": spec, "record": record, "against": against,
        "rows": rule_version_diff(against, record) if against and against != record else [],
        "others": spec.model._default_manager.exclude(pk=record.pk).order_by("-proposed_at"),
        "approval": approval, "withdrawal": withdrawal, "now": timezone.now(),
        "content": json.dumps(record.content, indent=1),
        "can_approve": record.status == RuleStatus.PROPOSED
        and can_approve_rules(request.user, record.proposed_by_id),
        "can_withdraw": record.status == RuleStatus.PROPOSED and can_propose_rules(request.user),
    }  # fmt: skip
    return render(request, "governance/rule_version_page.html", context)

"""Forms of the findings pages (the register's filters, raising a finding on a version or its
model, answering it, validating it) and of the owner's attestation. Shape only; the services
judge the rest."""

from django import forms
from django.contrib.auth import get_user_model

from governance.models import FindingSeverity, FindingStatus, MLModel
from governance.roles import Role


class FindingFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", "Open or remediated"), ("", "Any status"), *FindingStatus.choices],
        required=False,
    )
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *FindingSeverity.choices], required=False
    )
    model = forms.ModelChoiceField(
        queryset=MLModel.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="Any model",
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")


def owner_choices():  # type: ignore[no-untyped-def]
    """Who may own a finding: active engineers and risk officers."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[Role.ENGINEER, Role.RISK_OFFICER], is_active=True)
        .distinct()
        .order_by("username")
    )


class FindingFactsForm(forms.Form):
    """What every finding states; the red-team page raises one from these alone."""

    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=FindingSeverity.choices)
    description = forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    owner = forms.ModelChoiceField(queryset=owner_choices())
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due on")


class FindingRaiseForm(FindingFactsForm):
    field_order = ["whole_model", "title", "severity", "description", "basis_audit_run_id",
                   "basis_check_id", "basis_reference"]  # fmt: skip

    whole_model = forms.BooleanField(
        required=False, label="Raise it against the model (every version), not this version"
    )
    basis_audit_run_id = forms.IntegerField(min_value=1, required=False, label="Audit run #")
    basis_check_id = forms.RegexField(
        r"^[a-z][a-z0-9_]{0,63}$", required=False, label="Check id (e.g. fairness)"
    )
    basis_reference = forms.CharField(
        max_length=500, required=False, label="Or a document or report it rests on"
    )


class RemediationForm(forms.Form):
    note = forms.CharField(
        max_length=10000, widget=forms.Textarea(attrs={"rows": 3}), label="What was done"
    )
    audit_run_id = forms.IntegerField(min_value=1, required=False, label="New audit run #")
    evidence = forms.FileField(required=False, label="Evidence file")


class CloseForm(forms.Form):
    note = forms.CharField(
        max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 2}))


class AttestationForm(forms.Form):
    """The owner's attestation: the statement, signed with the password re-entered."""

    statement = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password, re-entered: it signs the attestation.",
    )

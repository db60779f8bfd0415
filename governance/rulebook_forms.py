"""The forms of the rules' pages: a proposal (the JSON, and a policy's review months), the
approving signature, and a withdrawal."""

import json
from typing import Any

from django import forms

from governance.models import SignatureMeaning


class JSONText(forms.CharField):
    """A textarea holding JSON; the value is the parsed JSON, or the field's error."""

    widget = forms.Textarea(attrs={"rows": 18, "class": "code"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"not JSON: {error}") from None


class ProposalForm(forms.Form):
    """A questionnaire version: its JSON and why it changes."""

    content = JSONText(help_text="The whole version as JSON; start from the one in force.")
    note = forms.CharField(max_length=5000, required=False, widget=forms.Textarea({"rows": 2}))


class PolicyProposalForm(ProposalForm):
    """A policy version: its JSON, the review months per tier, and why it changes."""

    review_months = JSONText(
        widget=forms.TextInput(), help_text='Months an approval lasts: {"1": 12, "2": 24, "3": 36}'
    )


class RuleApprovalForm(forms.Form):
    """The approving signature: a meaning, an effective date, the password re-entered."""

    meaning = forms.ChoiceField(
        choices=SignatureMeaning.choices, widget=forms.RadioSelect, label="Meaning of signature"
    )
    effective_from = forms.DateTimeField(
        required=False, help_text="UTC, e.g. 2027-01-01 00:00; empty: from now."
    )
    password = forms.CharField(strip=False, widget=forms.PasswordInput, max_length=200)


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 2}))

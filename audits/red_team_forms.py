"""Forms of the red-team pages: start a campaign, log an attempt, re-try one, and report one
as an incident. Shape only; the services say who may and what is refused."""

from django import forms

from governance.models import AttackCategory, AttackSeverity, SeriousKind, Severity, User
from governance.roles import Role

YES_NO = [("yes", "Yes, it worked again"), ("no", "No, it did not")]


def _text(max_length: int, rows: int, required: bool = True) -> forms.CharField:
    return forms.CharField(
        max_length=max_length,
        required=required,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    scope = _text(10000, 3, required=False)
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(
            is_active=True, groups__name__in=[Role.ENGINEER, Role.RISK_OFFICER]
        )
        .distinct()
        .order_by("username"),
        required=False,
        help_text="Who else runs it (you are a member). Never the model's owner or team.",
    )


class AttemptForm(forms.Form):
    prompt = _text(20000, 5)
    system = _text(20000, 2, required=False)
    context = _text(50000, 3, required=False)
    reply = _text(50000, 5)
    category = forms.ChoiceField(choices=AttackCategory.choices)
    severity = forms.ChoiceField(choices=AttackSeverity.choices)
    succeeded = forms.BooleanField(required=False, label="The attack worked")
    success_marker = forms.CharField(
        max_length=500,
        required=False,
        help_text="Text whose presence in a reply means the attack worked; later audits look "
        "for it when the attempt is promoted.",
    )


class ReproductionForm(forms.Form):
    reproduced = forms.TypedChoiceField(
        choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect
    )
    note = forms.CharField(max_length=2000, required=False)


class AttemptIncidentForm(forms.Form):
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices)
    serious_kind = forms.ChoiceField(
        choices=[("", "Not a serious incident"), *SeriousKind.choices],
        required=False,
        label="Serious incident (EU AI Act Art. 73)",
    )

"""Forms of the registry's pages. They check shape only (required, lengths, choices); the
services check who may act and the rules that need the database, and the views turn a
service's refusal into an error on the field it names."""

from typing import Any

from django import forms
from django.core.validators import validate_slug
from django.utils import timezone

from governance.models import (
    DECISION_MEANINGS,
    DecisionKind,
    EmailAudience,
    Finding,
    IncidentCategory,
    IncidentStatus,
    ModelType,
    ModelVersion,
    OutboxEventType,
    RegulatoryRegime,
    SeriousKind,
    Severity,
    Team,
    User,
)
from governance.models.registry import (
    DataSensitivity,
    DecisionAutonomy,
    DecisionScale,
    ImpactOnPeople,
    RegulatoryArea,
)
from governance.selectors import findings_standing, risk_officer_list

QUESTIONS = {
    "impact_on_people": ("What effect can its decisions have on people?", ImpactOnPeople),
    "decision_autonomy": ("Who makes the final decision?", DecisionAutonomy),
    "data_sensitivity": ("What data does it use?", DataSensitivity),
    "decision_scale": ("How many decisions does it make?", DecisionScale),
    "regulatory_area": ("In which regulated area is it used?", RegulatoryArea),
}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def datetime_field(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        help_text=help_text or "UTC",
        initial=lambda: timezone.now().replace(second=0, microsecond=0),
    )


class QuestionnaireForm(forms.Form):
    """The five risk questions; the answers compute the tier (governance.risk)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name, (label, choices) in QUESTIONS.items():
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices.choices, widget=forms.RadioSelect
            )

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in QUESTIONS}


class MLModelRegisterForm(QuestionnaireForm):
    """Register a model and file its first risk questionnaire in one step."""

    name = forms.CharField(max_length=200)
    slug = forms.CharField(
        max_length=100,
        required=False,
        validators=[validate_slug],
        help_text="Letters, digits, hyphens and underscores; fixed once registered. Left empty, "
        "it is made from the name.",
    )
    purpose = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    intended_use = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    out_of_scope_uses = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    model_type = forms.ChoiceField(choices=ModelType.choices)
    team = forms.ModelChoiceField(queryset=Team.objects.all())
    is_vendor = forms.BooleanField(required=False, label="Bought from a vendor")
    vendor_name = forms.CharField(max_length=200, required=False)
    regulatory_regimes = forms.MultipleChoiceField(
        choices=RegulatoryRegime.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["name", "slug", "purpose", "intended_use", "out_of_scope_uses", "model_type"]

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if user.team_id:
            self.fields["team"].initial = user.team_id
            self.fields["team"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_vendor") and not data.get("vendor_name", "").strip():
            self.add_error("vendor_name", "name the vendor of a bought model")
        return data

    def model_fields(self) -> dict:
        names = ["name", "slug", "purpose", "intended_use", "out_of_scope_uses", "model_type"]
        names += ["is_vendor", "vendor_name", "regulatory_regimes"]
        return {name: self.cleaned_data[name] for name in names}


class TierOverrideForm(forms.Form):
    """A risk officer's override of the computed tier: the tier and the reason only."""

    tier = forms.TypedChoiceField(choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")], coerce=int)
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class VersionCreateForm(forms.Form):
    version = forms.CharField(max_length=64, help_text="For example 1.2.0")
    artifact = forms.FileField(
        max_length=200, help_text="A .skops or .onnx file; pickle files are refused."
    )
    training_data_description = forms.CharField(
        max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    limitations = forms.CharField(
        max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    """A risk officer's signed decision: the password re-entered and the meaning declared."""

    decision = forms.ChoiceField(choices=DecisionKind.choices)
    meaning = forms.ChoiceField(
        choices=DECISION_MEANINGS, widget=forms.RadioSelect, label="Meaning of signature"
    )
    comment = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when rejecting or requesting changes.",
    )
    conditions = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when approving with conditions.",
    )
    accepted_findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An approval with conditions accepts these standing findings until their due "
        "date; an open high or critical finding blocks any other approval.",
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password, re-entered: it signs the decision.",
    )

    def __init__(self, *args: Any, version: ModelVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["accepted_findings"]
        field.queryset = findings_standing(version)  # type: ignore[attr-defined]
        field.label_from_instance = lambda finding: (  # type: ignore[attr-defined]
            f"#{finding.pk} {finding.get_severity_display()}: {finding.title} "
            f"(due {finding.due_on:%Y-%m-%d})"
        )

    def clean_accepted_findings(self) -> list[int]:
        """The service takes the findings by id, as the API sends them."""
        return [finding.pk for finding in self.cleaned_data["accepted_findings"]]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class EmptyForm(forms.Form):
    """An action that takes no input (submit, reopen): errors are the service's."""


class VersionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ModelVersion) -> str:  # type: ignore[override]
        return f"{obj.model.name} {obj.version}"


class IncidentReportForm(forms.Form):
    title = forms.CharField(max_length=200)
    versions = VersionChoices(
        queryset=ModelVersion.objects.select_related("model").order_by("model__name", "-id"),
        help_text="The affected versions (hold Ctrl or Cmd to choose several).",
    )
    severity = forms.ChoiceField(choices=Severity.choices)
    category = forms.ChoiceField(choices=IncidentCategory.choices)
    description = forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    aware_at = datetime_field("Became aware at", "UTC; sets the EU AI Act Art. 73 deadline.")
    serious_kind = forms.ChoiceField(
        choices=[("", "Not a serious incident"), *SeriousKind.choices],
        required=False,
        label="Serious incident (EU AI Act Art. 73)",
    )
    owner = forms.ModelChoiceField(
        queryset=risk_officer_list(), required=False, label="Owner (a risk officer)"
    )


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    corrective_actions = forms.CharField(
        max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(queryset=risk_officer_list(), required=False)


class AuthorityReportForm(forms.Form):
    authority = forms.CharField(max_length=200)
    reported_at = datetime_field("Reported at")
    reference = forms.CharField(max_length=200, required=False)


class NotReportableForm(forms.Form):
    """A risk officer's signed finding that a serious incident need not be reported."""

    reason = forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    password = forms.CharField(
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password, re-entered: it signs the finding.",
    )


class WebhookEndpointForm(forms.Form):
    """A new webhook receiver: the service checks the URL against the allow-list."""

    name = forms.CharField(max_length=100)
    url = forms.CharField(max_length=500, label="URL")
    event_types = forms.MultipleChoiceField(
        choices=OutboxEventType.choices, widget=forms.CheckboxSelectMultiple
    )
    slack_format = forms.BooleanField(required=False, label="Slack-compatible body")


class EmailSubscriptionForm(forms.Form):
    audience = forms.ChoiceField(choices=EmailAudience.choices)
    event_types = forms.MultipleChoiceField(
        choices=OutboxEventType.choices, widget=forms.CheckboxSelectMultiple
    )

"""Forms of the audits pages: an evaluation set's upload, its column mapping (offered from
the file's own header), and the request to run an audit."""

from django import forms

from audits.artifact_rules import CHAT, artifact_can
from audits.models import EvaluationSet, SetRole
from governance.models import ModelVersion

MAPPING_HELP = {
    "label": "The true outcome.",
    "prediction": (
        "The model's predicted class or value; with none of prediction, score and probabilities "
        "the version's artifact scores every row."
    ),
    "score": "The probability of the positive class (binary models).",
    "probabilities": "One probability column per class (multiclass models); not with a score.",
    "positive_label": "The label value that counts as positive, when it is not obvious.",
    "sensitive": "Protected attributes the fairness check compares groups by.",
    "slices": "Columns whose values the slices check measures performance within.",
    "features": "Inputs the drift check compares; none chosen means every other column.",
    "timestamp": "When each row happened, if the file records it.",
}

MAPPING_LABELS = {
    "sensitive": "Sensitive attributes",
    "slices": "Slice by",
    "features": "Features",
    "probabilities": "Class probabilities",
}


# Past this many columns a multiple choice is one scrolling list box, not a checkbox per
# column: four lists of hundreds of checkboxes make a page nobody can use.
CHECKBOX_COLUMNS = 24


class EvaluationSetFileForm(forms.Form):
    """Step one: the file, its role and a name; its header is read for step two."""

    file = forms.FileField(
        max_length=200,
        help_text=(
            "A .csv or .parquet file with a header row, or a .zip / .npz of images or arrays "
            "with manifest.csv at its root."
        ),
    )
    role = forms.ChoiceField(choices=SetRole.choices, initial=SetRole.CURRENT)
    name = forms.CharField(max_length=200, required=False, help_text="Defaults to the file name.")


class MappingForm(forms.Form):
    """Step two: which of the file's columns play which part. Choices are the file's columns."""

    def __init__(self, *args, columns: list[str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        single = [(c, c) for c in columns]
        optional = [("", "— none —"), *single]
        several = (
            forms.CheckboxSelectMultiple
            if len(columns) <= CHECKBOX_COLUMNS
            else lambda: forms.SelectMultiple(attrs={"size": 12})
        )
        self.fields["label"] = forms.ChoiceField(choices=[("", "— choose —"), *single])
        self.fields["prediction"] = forms.ChoiceField(choices=optional, required=False)
        self.fields["score"] = forms.ChoiceField(choices=optional, required=False)
        self.fields["probabilities"] = forms.MultipleChoiceField(
            choices=single, required=False, widget=several()
        )
        self.fields["positive_label"] = forms.CharField(max_length=200, required=False)
        for name in ("sensitive", "slices", "features"):
            self.fields[name] = forms.MultipleChoiceField(
                choices=single, required=False, widget=several()
            )
        self.fields["timestamp"] = forms.ChoiceField(choices=optional, required=False)
        for name, field in self.fields.items():
            field.label, field.help_text = MAPPING_LABELS.get(name, field.label), MAPPING_HELP[name]

    def mapping(self) -> dict:
        """The contract's mapping object: only the keys given."""
        data, mapping = self.cleaned_data, {}
        for name in self.fields:
            value = data.get(name)
            if value:
                mapping[name] = value
        return mapping

    def field_for(self, column: str) -> str | None:
        """The field in which the column was chosen, for showing a problem beside it."""
        for name, value in self.cleaned_data.items():
            if value == column or (isinstance(value, list) and column in value):
                return name
        return None


class AuditRequestForm(forms.Form):
    """The version's current set to audit (none for an LLM endpoint version: it is probed),
    optionally a reference set of the same model, and whether (and with which training sample)
    to run the model checks."""

    def __init__(self, *args, version: ModelVersion, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        probes = artifact_can(version.artifact_format, CHAT)  # an LLM endpoint needs no set
        self.fields["evaluation_set"] = forms.ModelChoiceField(
            queryset=version.evaluation_sets.filter(role=SetRole.CURRENT),
            required=not probes,
            help_text="Leave it empty to probe the endpoint live." if probes else "",
        )
        self.fields["reference_set"] = forms.ModelChoiceField(
            queryset=EvaluationSet.objects.filter(
                version__model_id=version.model_id, role=SetRole.REFERENCE
            ),
            required=False,
            help_text="The baseline the drift check compares against (any version of this model).",
        )
        self.fields["with_model"] = forms.BooleanField(
            required=False,
            initial=True,
            label="Run the model checks",
            help_text="Robustness, adversarial attacks and feature importance, on the version's "
            "artifact.",
        )
        self.fields["training_set"] = forms.ModelChoiceField(
            queryset=version.evaluation_sets.filter(role=SetRole.TRAINING),
            required=False,
            help_text="A sample of the training data: adds the membership-inference check.",
        )

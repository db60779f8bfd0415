"""The inventory's forms: the search and its filters (the page and the API read the same
form), and a model's custom field values and tags."""

from __future__ import annotations

from typing import Any

from django import forms

from governance.errors import InvalidInput
from governance.inventory import field_value_clean
from governance.models import CustomField, FieldKind, Team, User, VersionStatus
from governance.search import INVENTORY_FLAGS, InventoryQuery


class InventoryFilterForm(forms.Form):
    """The inventory's filters (GET); a bad value is an inline error, never a 500."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, empty_label="Any team", to_field_name="slug"
    )
    tier = forms.ChoiceField(
        choices=[
            ("", "Any tier"),
            ("1", "Tier 1"),
            ("2", "Tier 2"),
            ("3", "Tier 3"),
            ("none", "Not assessed"),
        ],
        required=False,
    )
    status = forms.ChoiceField(
        choices=[("", "Any version status"), *VersionStatus.choices], required=False
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(owned_models__isnull=False).distinct().order_by("username"),
        required=False,
        empty_label="Any owner",
        to_field_name="username",
    )
    tag = forms.SlugField(required=False, max_length=50)
    field = forms.ChoiceField(label="Custom field", required=False)
    value = forms.CharField(label="Field value", required=False, max_length=1000)
    flags = forms.MultipleChoiceField(
        label="Only", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom = {f.key: f for f in CustomField.objects.all()}
        field = self.fields["field"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any field"), *((k, f.label) for k, f in self.custom.items())]
        flags = self.fields["flags"]
        assert isinstance(flags, forms.MultipleChoiceField)
        flags.choices = [(name, flag.label) for name, flag in INVENTORY_FLAGS.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key, value = data.get("field"), (data.get("value") or "").strip()
        if key and not value:
            self.add_error("value", "name the value the field must have")
        elif value and not key:
            self.add_error("field", "choose the custom field the value is of")
        elif key:
            try:
                data["value"] = field_value_clean(self.custom[key], value)
            except InvalidInput as error:
                self.add_error("value", error.message)
        return data

    def query(self) -> InventoryQuery:
        """The validated search (call after is_valid())."""
        data = self.cleaned_data
        owner = data.get("owner")
        return InventoryQuery(
            text=data.get("q") or "",
            owner=owner.username if owner else "",
            tag=data.get("tag") or "",
            field=data.get("field") or "",
            value=data.get("value") or "",
            flags=tuple(data.get("flags") or ()),
        )


class FieldValuesForm(forms.Form):
    """One text input (a select for a choice field) per custom field; the service validates
    each value by its kind and its refusal lands on that field."""

    def __init__(self, *args: Any, custom: list[CustomField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in custom:
            if field.kind == FieldKind.CHOICE:
                choices = [("", "—"), *((c, c) for c in field.choices)]
                self.fields[field.key] = forms.ChoiceField(
                    label=field.label, choices=choices, required=False
                )
            else:
                hint = {FieldKind.DATE: "YYYY-MM-DD", FieldKind.NUMBER: "a number"}
                self.fields[field.key] = forms.CharField(
                    label=field.label,
                    required=False,
                    max_length=1000,
                    help_text=field.help_text or hint.get(FieldKind(field.kind), ""),
                )


class TagsForm(forms.Form):
    tags = forms.CharField(
        required=False, max_length=2000, help_text="Comma-separated, e.g. credit, vendor-review"
    )

    def tag_list(self) -> list[str]:
        return [t for t in self.cleaned_data["tags"].split(",") if t.strip()]

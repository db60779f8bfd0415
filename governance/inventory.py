"""Writes of the inventory's additions: an admin defines custom fields; the model's team sets
its values (each validated by the field's kind) and its tags. One trail event per write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from governance.errors import InvalidInput
from governance.models import (
    CustomField,
    CustomFieldValue,
    EventVerb,
    FieldKind,
    MLModel,
    Tag,
    User,
)
from governance.permissions import require_change_model, require_define_fields
from governance.trail import event_record, snapshot

MAX_TAGS = 30


def custom_field_define(
    *, actor: User, key: str, label: str, kind: str, choices: list[str] | None = None
) -> CustomField:
    """Add a field to every model's record; a choice field names its choices, others none."""
    require_define_fields(actor)
    if kind not in FieldKind.values:
        raise InvalidInput(f"one of {', '.join(FieldKind.values)}", field="kind")
    if slugify(key) != key or not key:
        raise InvalidInput("lower-case letters, digits and hyphens", field="key")
    options = [str(c).strip() for c in choices or [] if str(c).strip()]
    if (kind == FieldKind.CHOICE) != bool(options):
        reason = "a choice field names its choices" if not options else "only a choice field"
        raise InvalidInput(reason, field="choices")
    with transaction.atomic():
        if CustomField.objects.filter(key=key).exists():
            raise InvalidInput(f"a field {key!r} exists already", field="key")
        field = CustomField.objects.create(key=key, label=label, kind=kind, choices=options)
        event_record(
            actor=actor,
            verb=EventVerb.CUSTOM_FIELD_DEFINED,
            target=field,
            after=snapshot(field, ["key", "label", "kind", "choices"]),
        )
    return field


def field_value_clean(field: CustomField, raw: Any) -> str:
    """The value in its canonical text, or InvalidInput naming the field and why."""
    text = str(raw).strip()
    if field.kind == FieldKind.CHOICE and text not in field.choices:
        raise InvalidInput(f"one of {', '.join(field.choices)}", field=field.key)
    if field.kind == FieldKind.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidInput("a date as YYYY-MM-DD", field=field.key) from None
    if field.kind == FieldKind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidInput("a number", field=field.key) from None
        if not number.is_finite():
            raise InvalidInput("a finite number", field=field.key)
        return format(number.normalize(), "f")
    if len(text) > 1000:
        raise InvalidInput("at most 1000 characters", field=field.key)
    return text


def mlmodel_fields_set(*, actor: User, model: MLModel, values: dict[str, Any]) -> MLModel:
    """Set (or, with an empty value, clear) the model's custom field values, all or none."""
    require_change_model(actor, model)
    fields = {f.key: f for f in CustomField.objects.filter(key__in=list(values))}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InvalidInput("no such custom field", field=unknown[0])
    cleaned = {
        key: ("" if str(raw).strip() == "" else field_value_clean(fields[key], raw))
        for key, raw in values.items()
    }
    with transaction.atomic():
        before = _values(model)
        for key, value in cleaned.items():
            rows = CustomFieldValue.objects.filter(model=model, field=fields[key])
            if value:
                rows.update_or_create(model=model, field=fields[key], defaults={"value": value})
            else:
                rows.delete()
        event_record(
            actor=actor,
            verb=EventVerb.MODEL_FIELDS_SET,
            target=model,
            before={"fields": before},
            after={"fields": _values(model)},
        )
    return model


def mlmodel_tags_set(*, actor: User, model: MLModel, tags: list[str]) -> MLModel:
    """Replace the model's tags (made lower-case slugs; new ones are created)."""
    require_change_model(actor, model)
    slugs = sorted({slugify(t) for t in tags if slugify(t)})
    if len(slugs) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", field="tags")
    if any(len(s) > 50 for s in slugs):
        raise InvalidInput("a tag has at most 50 characters", field="tags")
    with transaction.atomic():
        before = sorted(model.tags.values_list("slug", flat=True))
        model.tags.set([Tag.objects.get_or_create(slug=s)[0] for s in slugs])
        event_record(
            actor=actor,
            verb=EventVerb.MODEL_TAGS_SET,
            target=model,
            before={"tags": before},
            after={"tags": slugs},
        )
    return model


def _values(model: MLModel) -> dict[str, str]:
    rows = CustomFieldValue.objects.filter(model=model).values_list("field__key", "value")
    return dict(sorted(rows))

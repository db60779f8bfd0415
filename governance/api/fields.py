"""Serializer building blocks shared by every app's API."""

from functools import cached_property
from typing import Any

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt field is an error, not silently ignored;
    reported together with every other field's problem, so one answer lists them all."""

    def to_internal_value(self, data: Any) -> Any:
        names = data.keys() if hasattr(data, "keys") else ()
        unknown = {name: ["unknown field"] for name in sorted(set(names) - set(self.fields))}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**unknown, **error.detail}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class SlugRelated(serializers.SlugRelatedField):
    """A related record named by its slug (or username), with a message naming what was given."""

    default_error_messages = {
        "does_not_exist": "no {slug_name} {value!r} exists",
        "invalid": "expected a string",
    }

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RowSerializer(serializers.ModelSerializer):
    """Reads `values()` rows, each field from row[field.source]: the same output as DRF's
    per-row attribute walk for flat fields, at a fraction of its cost on a 50-row page."""

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        shown = {}
        for name, source, field in self._row_fields:
            value = row[source]
            shown[name] = None if value is None else field.to_representation(value)
        return shown

    @cached_property
    def _row_fields(self) -> list[tuple[str, str, serializers.Field]]:
        """(name, row key, field) of each readable field, worked out once per serializer."""
        return [(str(f.field_name), str(f.source), f) for f in self._readable_fields]

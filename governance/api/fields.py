"""Serializer building blocks shared by every app's API."""

from typing import Any

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt field is an error, not silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["unknown field"] for name in unknown})
        return super().to_internal_value(data)


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

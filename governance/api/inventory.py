"""The inventory's additions over the API: custom fields (admins define them), a model's
field values and tags (its team sets them), read back on the model."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from governance import inventory
from governance.api.fields import StrictSerializer
from governance.api.permissions import HasRole, acting_user
from governance.models import CustomField, FieldKind, MLModel


class CustomFieldSerializer(StrictSerializer):
    key = serializers.SlugField(max_length=50)
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]  # the API's name
    kind = serializers.ChoiceField(choices=FieldKind.choices)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=200
    )


class FieldValuesSerializer(StrictSerializer):
    values = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=1000))


class TagsSerializer(StrictSerializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=100)


class InventoryRecordSerializer(serializers.Serializer):
    """A model's custom field values and tags."""

    values = serializers.DictField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())


def _record(model: MLModel) -> dict:
    values = model.field_values.select_related("field").order_by("field__key")
    return {
        "values": {v.field.key: v.value for v in values},
        "tags": sorted(model.tags.values_list("slug", flat=True)),
    }


@extend_schema(
    methods=["GET"], responses=CustomFieldSerializer(many=True), operation_id="custom_field_list"
)
@extend_schema(methods=["POST"], request=CustomFieldSerializer, responses=CustomFieldSerializer)
@api_view(["GET", "POST"])
@permission_classes([HasRole])
def custom_fields(request: Request) -> Response:
    """GET: the fields every model's record has. POST (admins): define one."""
    if request.method == "GET":
        rows = CustomField.objects.values("key", "label", "kind", "choices")
        return Response(list(rows))
    form = CustomFieldSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    field = inventory.custom_field_define(actor=acting_user(request), **form.validated_data)
    body = {"key": field.key, "label": field.label, "kind": field.kind, "choices": field.choices}
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(methods=["GET"], responses=InventoryRecordSerializer)
@extend_schema(
    methods=["POST"],
    request=FieldValuesSerializer,
    responses=InventoryRecordSerializer,
    operation_id="model_fields_set",
)
@api_view(["GET", "POST"])
@permission_classes([HasRole])
def model_fields(request: Request, slug: str) -> Response:
    """GET: the model's field values and tags. POST: set values (an empty one clears it)."""
    model = get_object_or_404(MLModel, slug=slug)
    if request.method == "POST":
        form = FieldValuesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data["values"]
        inventory.mlmodel_fields_set(actor=acting_user(request), model=model, values=values)
    return Response(_record(model))


@extend_schema(request=TagsSerializer, responses=InventoryRecordSerializer)
@api_view(["PUT"])
@permission_classes([HasRole])
def model_tags(request: Request, slug: str) -> Response:
    """Replace the model's tags."""
    model = get_object_or_404(MLModel, slug=slug)
    form = TagsSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    inventory.mlmodel_tags_set(
        actor=acting_user(request), model=model, tags=form.validated_data["tags"]
    )
    return Response(_record(model))

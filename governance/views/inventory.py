"""A model's inventory record: its custom field values and its tags, set by its team."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from governance import inventory
from governance.errors import ServiceError
from governance.inventory_forms import FieldValuesForm, TagsForm
from governance.models import CustomField, MLModel
from governance.page_plumbing import AuthedRequest, reader_required, refuse
from governance.permissions import user_can_change_team_models


@reader_required
def model_inventory(request: AuthedRequest, slug: str) -> HttpResponse:
    """Edit the model's custom field values (one form) and tags (another)."""
    model = get_object_or_404(MLModel.objects.select_related("team"), slug=slug)
    if not user_can_change_team_models(request.user, model.team):
        raise PermissionDenied("only the model's team and admins change its inventory record")
    which = request.POST.get("form") if request.method == "POST" else None
    current = {v.field.key: v.value for v in model.field_values.select_related("field")}
    values = FieldValuesForm(
        request.POST if which == "fields" else None,
        custom=list(CustomField.objects.all()),
        initial=current,
    )
    tags = TagsForm(
        request.POST if which == "tags" else None,
        initial={"tags": ", ".join(model.tags.values_list("slug", flat=True))},
    )
    try:
        if values.is_bound and values.is_valid():
            data = dict(values.cleaned_data)
            inventory.mlmodel_fields_set(actor=request.user, model=model, values=data)
            messages.success(request, "The custom fields are saved.")
            return redirect("model-page", slug=slug)
        if tags.is_bound and tags.is_valid():
            inventory.mlmodel_tags_set(actor=request.user, model=model, tags=tags.tag_list())
            messages.success(request, "The tags are saved.")
            return redirect("model-page", slug=slug)
    except ServiceError as error:
        refuse(values if values.is_bound else tags, error)
    context = {"model": model, "values": values, "tags": tags}
    return render(request, "governance/model_inventory.html", context)

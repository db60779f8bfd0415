"""The inventory search: free text, owner, tag, a custom field's value, and named flags
(overdue revalidation, open incidents, open findings). A flag is one entry in `INVENTORY_FLAGS`;
other work adds its own with `inventory_flag_register`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from governance.models import (
    OPEN_FINDING_STATUSES,
    CustomFieldValue,
    Finding,
    IncidentStatus,
    MLModel,
    ModelVersion,
    Tag,
)
from governance.models.registry import live_versions_filter

Narrow = Callable[[QuerySet[MLModel]], QuerySet[MLModel]]


@dataclass(frozen=True)
class InventoryFlag:
    label: str
    narrow: Narrow


def _overdue_revalidation(models: QuerySet[MLModel]) -> QuerySet[MLModel]:
    """Models with a live version whose approval has lapsed (DESIGN §4)."""
    lapsed = ModelVersion.objects.filter(
        live_versions_filter(), approval_expires_at__lte=timezone.now()
    )
    return models.filter(pk__in=lapsed.values("model_id"))


def _open_incidents(models: QuerySet[MLModel]) -> QuerySet[MLModel]:
    """Models with a version named by an incident that is not closed."""
    named = ModelVersion.objects.filter(incidents__isnull=False).exclude(
        incidents__status=IncidentStatus.CLOSED
    )
    return models.filter(pk__in=named.values("model_id"))


def _open_findings(models: QuerySet[MLModel]) -> QuerySet[MLModel]:
    """Models with a validation finding still standing (open, or remediated and not closed)."""
    standing = Finding.objects.filter(status__in=OPEN_FINDING_STATUSES)
    return models.filter(pk__in=standing.values("model_id"))


INVENTORY_FLAGS: dict[str, InventoryFlag] = {
    "overdue_revalidation": InventoryFlag("Revalidation overdue", _overdue_revalidation),
    "open_incidents": InventoryFlag("Open incidents", _open_incidents),
    "open_findings": InventoryFlag("Open findings", _open_findings),
}


def inventory_flag_register(name: str, flag: InventoryFlag) -> None:
    """Add a flag to the inventory's filters (the page and the API offer every one)."""
    INVENTORY_FLAGS[name] = flag


@dataclass(frozen=True)
class InventoryQuery:
    """What a search asks, already validated (the field value in its canonical text)."""

    text: str = ""
    owner: str = ""
    tag: str = ""
    field: str = ""
    value: str = ""
    flags: tuple[str, ...] = ()


def inventory_filter(models: QuerySet[MLModel], query: InventoryQuery) -> QuerySet[MLModel]:
    """The models matching every part of the query (each part a subquery: no duplicate rows)."""
    if query.text:
        tagged = Tag.mlmodels.through.objects.filter(tag__slug__icontains=query.text)
        valued = CustomFieldValue.objects.filter(value__icontains=query.text)
        models = models.filter(
            Q(name__icontains=query.text)
            | Q(slug__icontains=query.text)
            | Q(purpose__icontains=query.text)
            | Q(pk__in=tagged.values("mlmodel_id"))
            | Q(pk__in=valued.values("model_id"))
        )
    if query.owner:
        models = models.filter(owner__username=query.owner)
    if query.tag:
        tagged = Tag.mlmodels.through.objects.filter(tag__slug=query.tag)
        models = models.filter(pk__in=tagged.values("mlmodel_id"))
    if query.field:
        valued = CustomFieldValue.objects.filter(field__key=query.field, value=query.value)
        models = models.filter(pk__in=valued.values("model_id"))
    for name in query.flags:
        models = INVENTORY_FLAGS[name].narrow(models)
    return models

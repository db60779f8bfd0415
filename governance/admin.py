"""The admin for operators. Writes made here go through no service, so the registry's records
are read-only in it; the trail is read-only everywhere."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from governance.models import Event, MLModel, ModelVersion, RiskAssessment, Team, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows records; adding, changing and deleting are the services' alone."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class WardenUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "team", "is_active"]
    list_filter = ["groups", "team", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Warden", {"fields": ["team"]}))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(MLModel)
class MLModelAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "team", "owner", "risk_tier", "model_type"]
    list_filter = ["risk_tier", "team", "model_type", "is_vendor"]
    search_fields = ["name", "slug"]
    list_select_related = ["team", "owner"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["model", "tier", "computed_tier", "override_tier", "assessed_by", "assessed_at"]
    list_select_related = ["model", "assessed_by"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["model", "version", "status", "artifact_format", "created_at"]
    list_filter = ["status", "artifact_format"]
    list_select_related = ["model"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "occurred_at", "actor_name", "verb", "target_type", "target_repr"]
    list_filter = ["verb", "target_type"]
    search_fields = ["target_repr", "actor_name", "request_id"]

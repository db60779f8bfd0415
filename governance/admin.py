"""The admin for operators. The registry's records are read-only in it and the trail is
read-only everywhere; accounts and teams are edited here only through their services, so every
change reaches the trail (and superuser is not offered: it is granted at the command line)."""

import copy
import functools
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.http import HttpRequest, HttpResponse

from governance import accounts, services
from governance.errors import ServiceError
from governance.models import Event, MLModel, ModelVersion, RiskAssessment, Team, User
from governance.roles import Role


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows records; adding, changing and deleting are the services' alone."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _field_errors(form: forms.BaseForm, check: Any, aliases: dict[str, str] | None = None) -> None:
    """Run a service's rule and show its refusal on the field it names (or its alias here)."""
    try:
        check()
    except ServiceError as error:
        field = (aliases or {}).get(error.field or "", error.field)
        form.add_error(field if field in form.fields else None, error.message)


class UserProvisionForm(forms.ModelForm):
    """A new account: its details, one role and a password (which its owner must change
    before signing, as someone else chose it)."""

    role = forms.ChoiceField(choices=Role.choices)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password (again)", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "team"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "the two passwords differ")
        elif data.get("password1"):
            _field_errors(
                self,
                lambda: accounts.password_check(data["password1"]),
                aliases={"password": "password1"},
            )
        if data.get("role"):
            _field_errors(self, lambda: accounts.roles_check([data["role"]], data.get("team")))
        return data


class UserEditForm(UserChangeForm):
    """An account's details, flags and roles, checked by the account services' own rules."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        if "groups" in self.fields and "groups" in data:
            roles = [group.name for group in data["groups"]]
            _field_errors(self, lambda: accounts.roles_check(roles, data.get("team")))
        return data


class PasswordSetForm(AdminPasswordChangeForm):
    """Sets a password through user_password_set (never "unusable": that is deactivation)."""

    def __init__(self, user: User, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.actor = actor
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = self.fields["password2"].required = True

    def save(self, commit: bool = True) -> User:
        self.user = accounts.user_password_set(
            actor=self.actor, user=self.user, password=self.cleaned_data["password1"]
        )
        return self.user


@admin.register(User)
class WardenUserAdmin(UserAdmin):
    """Accounts, written by the account services: details, flags and roles each one call with
    its event. No superuser flag and no per-user permissions: roles are the groups."""

    list_display = ["username", "first_name", "last_name", "team", "is_active"]
    list_filter = ["groups", "team", "is_active"]
    form = UserEditForm
    add_form = UserProvisionForm
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email", "team"]}),
        ("Access", {"fields": ["is_active", "is_staff", "groups"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": [
                    *accounts.DETAIL_FIELDS,
                    "role",
                    "password1",
                    "password2",
                ]
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Nobody edits their own access: another administrator must."""
        own = obj is not None and obj.pk == request.user.pk
        return [*self.readonly_fields, *(["is_active", "is_staff", "groups"] if own else [])]

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool
    ) -> None:
        actor = cast(User, request.user)  # behind admin_view: a logged-in staff member
        data = form.cleaned_data
        if not change:
            created = accounts.user_create(
                actor=actor,
                password=data["password1"],
                role=data["role"],
                **{name: data[name] for name in accounts.DETAIL_FIELDS},
            )
            obj.pk, obj._state.adding = created.pk, False
            return
        changed = form.changed_data
        details = {n: data[n] for n in accounts.DETAIL_FIELDS if n in changed}
        roles = [group.name for group in data["groups"]] if "groups" in changed else None
        # The form checked the final roles and team together; apply them in the order whose
        # intermediate state passes too: a team given before the engineer role that needs it,
        # a team taken away after the role that needed it.
        gaining_team = details.get("team") is not None
        if details and gaining_team:
            accounts.user_details_set(actor=actor, user=obj, changes=details)
        if roles is not None:
            accounts.user_roles_set(actor=actor, user=obj, roles=roles)
        if details and not gaining_team:
            accounts.user_details_set(actor=actor, user=obj, changes=details)
        flags = {n: data[n] for n in accounts.FLAG_FIELDS if n in changed}
        if flags:
            accounts.user_flags_set(actor=actor, user=obj, flags=flags)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        """Roles were set in save_model through user_roles_set; nothing else is related."""

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's view, with a form that sets the password through the service as this actor."""
        bound = copy.copy(self)
        actor = cast(User, request.user)  # behind admin_view: a logged-in staff member
        bound.change_password_form = functools.partial(  # type: ignore[assignment]
            PasswordSetForm, actor=actor
        )
        return UserAdmin.user_change_password(bound, request, id, form_url)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams, created and renamed through their services."""

    list_display = ["name", "slug"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Team, form: forms.ModelForm, change: bool
    ) -> None:
        actor, data = cast(User, request.user), form.cleaned_data
        if change:
            services.team_update(actor=actor, team=obj, changes=dict(data))
            return
        created = services.team_create(actor=actor, name=data["name"], slug=data["slug"])
        obj.pk, obj._state.adding = created.pk, False


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

"""The plumbing every app's pages share: who may read (`reader_required`, `AuthedRequest`), the
viewer's roles for the navigation, a bound form's data (`posted`, `uploaded`), a service's
refusal shown on its field (`refuse`), and finding and returning to a version (`version_of`,
`to_version`). Pages of audits and reports import it from here; it renders no page itself."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from governance.errors import ServiceError
from governance.models import ModelVersion, User
from governance.permissions import read_refusal
from governance.roles import Role


def viewer_roles(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the viewer's roles (one query), for the navigation and the pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": {}}
    names = (
        set(Role.values) if user.is_superuser else set(user.groups.values_list("name", flat=True))
    )
    roles: dict[str, Any] = {role: role in names for role in Role.values}
    labels = [Role(role).label for role in Role.values if role in names]
    roles["label"] = ", ".join(labels) or "no role"
    return {"roles": roles}


class AuthedRequest(HttpRequest):
    """A request behind `reader_required`: its user is logged in."""

    user: User  # type: ignore[assignment]


def reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and in a role that reads the registry (a gate account reads nothing)."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = read_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        return view(request, *args, **kwargs)

    return wrapped


def refuse(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def uploaded(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def version_of(slug: str, number: str) -> ModelVersion:
    return get_object_or_404(
        ModelVersion.objects.select_related("model__team", "model__owner"),
        model__slug=slug,
        version=number,
    )


def to_version(version: ModelVersion) -> HttpResponse:
    return redirect("version-page", slug=version.model.slug, version=version.version)

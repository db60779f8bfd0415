"""DRF permission classes. Row-level rules are the services' (governance.permissions)."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from governance.models import User
from governance.permissions import read_refusal, user_can_ask_gate


def acting_user(request: Request) -> User:
    """The signed-in person a request acts as (the services' `actor`); anonymous is 401. Behind
    HasRole it is always a User; this says so to the type checker and holds if it ever is not."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


class HasRole(BasePermission):
    """Authenticated and holding one of Warden's reading roles; anonymous callers get 401, the
    rest a 403 saying why (a gate account is told what it may ask)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        # DRF builds permissions per request, so the message belongs to this caller alone.
        self.message = read_refusal(user)  # type: ignore[arg-type]
        return not self.message


class CanAskGate(BasePermission):
    """Any person with a role, or a pipeline account holding only the gate role."""

    message = "this account may not ask the deployment gate"

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user_can_ask_gate(user))  # type: ignore[arg-type]

"""Writes to people's accounts: creation, details, roles, flags and passwords. Every change, from
the admin, a command or a page, is one of these calls and records its event with before/after,
so segregation of duties cannot be configured away off the trail."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from governance.errors import Forbidden, InvalidInput
from governance.models import EventVerb, Team, User
from governance.roles import EXCLUSIVE_ROLES, Role
from governance.trail import event_record, snapshot

DETAIL_FIELDS = ["username", "first_name", "last_name", "email", "team"]
FLAG_FIELDS = ["is_active", "is_staff", "is_superuser"]


def roles_check(roles: Iterable[str], team: Team | None) -> None:
    """The one rule on a set of roles: known names, engineer and risk officer never in one
    account (a validator must not validate their own work), and an engineer in a team."""
    roles = set(roles)
    unknown = sorted(roles - set(Role.values))
    if unknown:
        raise InvalidInput(
            f"unknown role {unknown[0]!r}; one of {', '.join(Role.values)}", field="roles"
        )
    if roles >= EXCLUSIVE_ROLES:
        raise InvalidInput(
            "engineer and risk officer are exclusive: one account cannot hold both",
            field="roles",
        )
    if Role.ENGINEER in roles and team is None:
        raise InvalidInput("an engineer needs a team", field="team")


def user_roles(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def _require_account_admin(actor: User | None, user: User | None = None) -> None:
    """Admins (or the operator at the command line, actor None) manage accounts; nobody changes
    their own roles or flags, so no one grants themselves a power."""
    if actor is None:
        return
    if not actor.has_role(Role.ADMIN):
        raise Forbidden("only an administrator manages accounts")
    if user is not None and actor.pk == user.pk:
        raise Forbidden("no one changes their own roles or flags; ask another administrator")


def _superuser_check(actor: User | None, is_superuser: bool) -> None:
    if is_superuser and actor is not None:
        raise Forbidden(
            "superuser is granted only from the command line (create_user --superuser)",
            field="is_superuser",
        )


def password_check(password: str, user: User | None = None) -> None:
    """Django's password validators, refusing on the field `password`."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from None


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Provision a user in one role. A password chosen by a named actor is marked as set by
    someone else; superuser is for the command line only."""
    _require_account_admin(actor)
    _superuser_check(actor, is_superuser)
    roles_check([role], team)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InvalidInput(f"user {username!r} exists already", field="username")
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            team=team,
            first_name=first_name,
            last_name=last_name,
            is_staff=role == Role.ADMIN or is_superuser,
            is_superuser=is_superuser,
            password_set_by_other=actor is not None,
        )
        user.groups.add(Group.objects.get(name=role))
        after = {
            **snapshot(user, [*DETAIL_FIELDS, *FLAG_FIELDS, "password_set_by_other"]),
            "role": role,
        }
        event_record(actor=actor, verb=EventVerb.USER_CREATED, target=user, after=after)
    return user


def user_details_set(*, actor: User | None, user: User, changes: dict[str, Any]) -> User:
    """Change a user's name, e-mail, username or team (an engineer keeps a team)."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise InvalidInput("this field is not an account detail", field=sorted(unknown)[0])
    _require_account_admin(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if "team" in changes:
            roles_check(user_roles(user), changes["team"])
        username = changes.get("username", user.username)
        if User.objects.filter(username=username).exclude(pk=user.pk).exists():
            raise InvalidInput(f"user {username!r} exists already", field="username")
        before = snapshot(user, DETAIL_FIELDS)
        for name, value in changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(changes))
        event_record(
            actor=actor,
            verb=EventVerb.USER_UPDATED,
            target=user,
            before=before,
            after=snapshot(user, DETAIL_FIELDS),
        )
    return user


def user_roles_set(*, actor: User | None, user: User, roles: Iterable[str]) -> User:
    """Give a user exactly these roles, under roles_check."""
    roles = sorted(set(roles))
    _require_account_admin(actor, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        roles_check(roles, user.team)
        before = {"roles": user_roles(user)}
        user.groups.set(Group.objects.filter(name__in=roles))
        event_record(
            actor=actor,
            verb=EventVerb.USER_ROLES_CHANGED,
            target=user,
            before=before,
            after={"roles": roles},
        )
    return user


def user_flags_set(*, actor: User | None, user: User, flags: dict[str, bool]) -> User:
    """Set is_active, is_staff or is_superuser; superuser only from the command line."""
    unknown = set(flags) - set(FLAG_FIELDS)
    if unknown:
        raise InvalidInput("this flag does not exist", field=sorted(unknown)[0])
    _require_account_admin(actor, user)
    _superuser_check(actor, flags.get("is_superuser", False))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(user, FLAG_FIELDS)
        for name, value in flags.items():
            setattr(user, name, value)
        user.save(update_fields=list(flags))
        event_record(
            actor=actor,
            verb=EventVerb.USER_FLAGS_CHANGED,
            target=user,
            before=before,
            after=snapshot(user, FLAG_FIELDS),
        )
    return user


def user_password_set(*, actor: User | None, user: User, password: str) -> User:
    """Set a password. Its owner may always; an admin may, but then it cannot sign until the
    owner changes it. The event says who set it, never what it is."""
    by_owner = actor is not None and actor.pk == user.pk
    if not by_owner:
        _require_account_admin(actor)
    password_check(password, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(user, ["password_set_by_other"])
        user.set_password(password)
        user.password_set_by_other = not by_owner
        user.save(update_fields=["password", "password_set_by_other"])
        event_record(
            actor=actor,
            verb=EventVerb.USER_PASSWORD_CHANGED,
            target=user,
            before=before,
            after=snapshot(user, ["password_set_by_other"]),
            note="set by its owner" if by_owner else "set by someone else: it cannot sign",
        )
    return user

"""Single sign-on (OpenID Connect, mozilla-django-oidc): the provider's groups become Warden's
roles and team by settings, accounts are provisioned at first login and kept in step after, and
the segregation-of-duties rules (governance.accounts.roles_check) apply whatever the provider
says. Every provisioning, change and refusal is on the trail."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from governance.accounts import (
    DETAIL_FIELDS,
    FLAG_FIELDS,
    roles_check,
    user_details_set,
    user_roles,
    user_roles_set,
)
from governance.errors import InvalidInput
from governance.models import EventVerb, Team, User
from governance.roles import Role
from governance.trail import event_record, snapshot


@dataclass(frozen=True)
class Access:
    """What a claim set grants: Warden roles and at most one team (by slug)."""

    roles: frozenset[str]
    team_slug: str | None

    def to_json(self) -> dict[str, Any]:
        return {"roles": sorted(self.roles), "team": self.team_slug}


def claims_access(
    claims: Mapping[str, Any], role_map: Mapping[str, str], team_map: Mapping[str, str]
) -> Access:
    """Map the groups claim through WARDEN_OIDC_ROLE_MAP and WARDEN_OIDC_TEAM_MAP; groups not
    named there grant nothing. Refuses (InvalidInput) a claim set that maps to two teams."""
    groups = claims.get(settings.WARDEN_OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise InvalidInput("the groups claim is not a list of names", field="groups")
    roles = frozenset(role_map[g] for g in groups if g in role_map)
    teams = sorted({team_map[g] for g in groups if g in team_map})
    if len(teams) > 1:
        raise InvalidInput(f"the groups name two teams ({', '.join(teams)})", field="team")
    return Access(roles=roles, team_slug=teams[0] if teams else None)


def _access_check(access: Access) -> Team | None:
    """The account rules on what the provider grants: a role at least, roles_check, and a team
    that exists in Warden. Returns the team."""
    if not access.roles:
        raise InvalidInput("the provider grants no Warden role", field="roles")
    team = None
    if access.team_slug is not None:
        team = Team.objects.filter(slug=access.team_slug).first()
        if team is None:
            raise InvalidInput(f"no Warden team {access.team_slug!r}", field="team")
    roles_check(access.roles, team)
    return team


def sso_login_refused(*, claims: Mapping[str, Any], reason: str) -> None:
    """Record a refused single sign-on on the trail (in its own transaction, so it stays)."""
    subject = str(claims.get("sub", ""))
    user = User.objects.filter(sso_subject=subject).first() if subject else None
    target = user or User(username=str(claims.get(settings.WARDEN_OIDC_USERNAME_CLAIM, "")))
    after = {
        "issuer": settings.WARDEN_OIDC_ISSUER,
        "sub": subject,
        "groups": claims.get(settings.WARDEN_OIDC_GROUPS_CLAIM),
    }
    with transaction.atomic():
        event_record(
            actor=None, verb=EventVerb.SSO_LOGIN_REFUSED, target=target, after=after, note=reason
        )


def sso_user_provision(*, claims: Mapping[str, Any]) -> User:
    """Create the account of a first single sign-on: no usable password (it signs by
    re-authenticating at the provider), roles and team from the claims."""
    access = claims_access(claims, settings.WARDEN_OIDC_ROLE_MAP, settings.WARDEN_OIDC_TEAM_MAP)
    team = _access_check(access)
    username = str(claims.get(settings.WARDEN_OIDC_USERNAME_CLAIM) or "").strip()[:150]
    if not username:
        raise InvalidInput("the provider sent no user name", field="username")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InvalidInput(
                f"user {username!r} exists already as another account", field="username"
            )
        user = User.objects.create_user(
            username=username,
            password=None,
            email=str(claims.get("email") or ""),
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
            team=team,
            is_staff=Role.ADMIN in access.roles,
            sso_subject=str(claims["sub"]),
        )
        user.groups.set(Group.objects.filter(name__in=access.roles))
        after = {**snapshot(user, [*DETAIL_FIELDS, *FLAG_FIELDS]), **access.to_json()}
        event_record(
            actor=None,
            verb=EventVerb.USER_CREATED,
            target=user,
            after={**after, "sso_subject": user.sso_subject},
            note=f"provisioned at first single sign-on by {settings.WARDEN_OIDC_ISSUER}",
        )
    return user


def sso_user_sync(*, user: User, claims: Mapping[str, Any]) -> User:
    """Bring an account's roles and team in step with the provider's claims, each change
    through the account services (so on the trail); a refused claim set changes nothing."""
    access = claims_access(claims, settings.WARDEN_OIDC_ROLE_MAP, settings.WARDEN_OIDC_TEAM_MAP)
    team = _access_check(access)
    with transaction.atomic():
        team_changes = team != user.team
        roles_change = set(user_roles(user)) != access.roles
        if team_changes and team is not None:  # a team first, so an engineer is never teamless
            user = user_details_set(actor=None, user=user, changes={"team": team})
        if roles_change:
            user = user_roles_set(actor=None, user=user, roles=access.roles)
        if team_changes and team is None:
            user = user_details_set(actor=None, user=user, changes={"team": None})
    return user


class WardenOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, matching accounts by the provider's `sub` (never by
    e-mail), checking the ID token's issuer and audience, and refusing on the trail."""

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != settings.WARDEN_OIDC_ISSUER:
            raise SuspiciousOperation("the ID token's issuer is not the configured provider")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("the ID token is not for this client")
        return payload

    def filter_users_by_claims(self, claims: Mapping[str, Any]):  # type: ignore[no-untyped-def]
        subject = claims.get("sub")
        return User.objects.filter(sso_subject=str(subject)) if subject else User.objects.none()

    def verify_claims(self, claims: Mapping[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def create_user(self, claims: Mapping[str, Any]) -> User | None:
        try:
            return sso_user_provision(claims=claims)
        except InvalidInput as error:
            sso_login_refused(claims=claims, reason=str(error))
            return None

    def update_user(self, user: User, claims: Mapping[str, Any]) -> User | None:
        try:
            return sso_user_sync(user=user, claims=claims)
        except InvalidInput as error:
            sso_login_refused(claims=claims, reason=str(error))
            return None

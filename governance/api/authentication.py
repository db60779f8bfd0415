"""Token authentication that keeps token -> user (with role names) in the shared cache, so a
pipeline asking the gate costs no query to identify itself. Any change that could alter the
answer (token revoked, user saved or deleted, roles changed) deletes the entry at once."""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from governance.models import User


def token_cache_key(key: str) -> str:
    """The cache key of a token: its hash, so the cache never holds a usable token."""
    return "warden:token:" + hashlib.sha256(key.encode()).hexdigest()


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication; with WARDEN_TOKEN_CACHE_SECONDS > 0 the token and its user
    (password hash left out, role names read) are cached and re-checked for is_active."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        seconds = settings.WARDEN_TOKEN_CACHE_SECONDS
        if not seconds:
            return super().authenticate_credentials(key)
        token = cache.get(token_cache_key(key))
        if token is None:
            token = Token.objects.select_related("user").defer("user__password").filter(key=key)
            token = token.first()
            if token is None:
                raise AuthenticationFailed(_("Invalid token."))
            token.user.role_names  # noqa: B018 - read now, so the cached user carries them
            cache.set(token_cache_key(key), token, seconds)
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


def tokens_forget(keys: Iterable[str]) -> None:
    """Delete the cached entries now and again after the transaction commits: a request that
    read the old rows before the commit may have cached them in between."""
    cache_keys = [token_cache_key(key) for key in keys]
    if not cache_keys:
        return
    cache.delete_many(cache_keys)
    transaction.on_commit(lambda: cache.delete_many(cache_keys))


def users_forget(user_ids: Iterable[int]) -> None:
    tokens_forget(Token.objects.filter(user_id__in=list(user_ids)).values_list("key", flat=True))


def _token_changed(instance: Token, **kwargs: Any) -> None:
    tokens_forget([instance.key])


def _user_changed(instance: User, **kwargs: Any) -> None:
    users_forget([instance.pk])


def _group_changed(instance: Group, **kwargs: Any) -> None:
    """A renamed or deleted group changes the role names of everyone in it."""
    users_forget(instance.user_set.values_list("pk", flat=True))


def _memberships_changed(
    instance: User | Group, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # user.groups.add(...) and the like
        users_forget([instance.pk])
    elif pk_set is not None:  # group.user_set.add(users...)
        users_forget(pk_set)
    else:  # group.user_set.clear(): its members, read before they go
        _group_changed(instance)  # type: ignore[arg-type]


def token_cache_connect() -> None:
    """Connect the invalidation receivers (called once from GovernanceConfig.ready)."""
    post_save.connect(_token_changed, sender=Token, dispatch_uid="token-cache-token-saved")
    post_delete.connect(_token_changed, sender=Token, dispatch_uid="token-cache-token-deleted")
    post_save.connect(_user_changed, sender=User, dispatch_uid="token-cache-user-saved")
    post_save.connect(_group_changed, sender=Group, dispatch_uid="token-cache-group-saved")
    pre_delete.connect(_group_changed, sender=Group, dispatch_uid="token-cache-group-deleted")
    m2m_changed.connect(
        _memberships_changed, sender=User.groups.through, dispatch_uid="token-cache-memberships"
    )

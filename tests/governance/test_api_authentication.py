"""The token cache: a cached token costs no query, and revoking the token, deactivating the
user or changing their roles takes effect on the very next request."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from governance.api.authentication import token_cache_key
from tests.factories import user_make
from tests.workers import redis_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_cache(settings):
    settings.WARDEN_TOKEN_CACHE_SECONDS = 60
    cache.clear()


def models_status(api, user) -> int:
    return api.as_user(user).get("/api/models/").status_code


def warmed(api, user) -> None:
    """One request, so the user's token is in the cache."""
    assert models_status(api, user) == 200
    assert cache.get(token_cache_key(user.auth_token.key)) is not None


def test_a_cached_token_costs_no_query(cast, api, token_cache, django_assert_num_queries):
    warmed(api, cast.ada)
    with django_assert_num_queries(2):  # the page's count and its rows
        assert models_status(api, cast.ada) == 200


def test_the_cache_holds_neither_the_token_nor_the_password_hash(cast, api, token_cache):
    warmed(api, cast.ada)
    key = cast.ada.auth_token.key
    assert key not in token_cache_key(key)
    assert "password" not in cache.get(token_cache_key(key)).user.__dict__


def test_a_revoked_token_is_refused_at_once(cast, api, token_cache):
    warmed(api, cast.ada)
    Token.objects.filter(user=cast.ada).delete()
    assert api.get("/api/models/").status_code == 401


def test_a_deactivated_user_is_refused_at_once(cast, api, token_cache):
    warmed(api, cast.ada)
    cast.ada.is_active = False
    cast.ada.save()
    assert api.get("/api/models/").status_code == 401


def test_a_removed_role_is_gone_at_once(cast, api, token_cache):
    warmed(api, cast.ada)
    cast.ada.groups.remove(Group.objects.get(name="auditor"))
    assert api.get("/api/models/").status_code == 403


def test_a_user_taken_out_of_a_group_loses_the_role_at_once(cast, api, token_cache):
    warmed(api, cast.ada)
    Group.objects.get(name="auditor").user_set.remove(cast.ada)
    assert api.get("/api/models/").status_code == 403


def test_a_cleared_group_loses_its_members_at_once(cast, api, token_cache):
    warmed(api, cast.ada)
    Group.objects.get(name="auditor").user_set.clear()
    assert api.get("/api/models/").status_code == 403


def test_a_deleted_group_takes_its_role_at_once(cast, api, token_cache):
    warmed(api, cast.ada)
    Group.objects.get(name="auditor").delete()
    assert api.get("/api/models/").status_code == 403


def test_a_granted_role_counts_at_once(cast, api, token_cache):
    pipeline = user_make("pipeline", "gate")
    assert models_status(api, pipeline) == 403
    pipeline.groups.add(Group.objects.get(name="auditor"))
    assert api.get("/api/models/").status_code == 200


def test_an_entry_cached_before_the_commit_is_deleted_at_the_commit(
    cast, api, token_cache, django_capture_on_commit_callbacks
):
    warmed(api, cast.ada)
    key = token_cache_key(cast.ada.auth_token.key)
    stale = cache.get(key)
    with django_capture_on_commit_callbacks(execute=True):
        cast.ada.is_active = False
        cast.ada.save()
        cache.set(key, stale)  # another request read the row before the commit
    assert api.get("/api/models/").status_code == 401


@pytest.mark.redis
def test_a_revoked_token_is_refused_at_once_through_redis(cast, api, settings):
    if not redis_answers():
        pytest.skip("needs Redis answering on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
        }
    }
    settings.WARDEN_TOKEN_CACHE_SECONDS = 60
    warmed(api, cast.ada)
    Token.objects.filter(user=cast.ada).delete()
    assert api.get("/api/models/").status_code == 401

"""Step-up re-authentications at the identity provider: each stands in for one password
re-entry, is used by at most one signature, and keeps the hashes that make a replay visible."""

from django.conf import settings
from django.db import models


class Reauthentication(models.Model):
    """One verified re-authentication of a single sign-on user (prompt=login, max_age=0).
    `nonce_sha256` and `token_sha256` are unique, so the same ID token cannot count twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issuer = models.CharField(max_length=300)
    requested_at = models.DateTimeField()
    authenticated_at = models.DateTimeField()  # the ID token's auth_time
    verified_at = models.DateTimeField()
    nonce_sha256 = models.CharField(max_length=64, unique=True)
    token_sha256 = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-verified_at", "-id"]

    def __str__(self) -> str:
        return f"re-authentication of {self.user} at {self.authenticated_at:%H:%M:%S} UTC"

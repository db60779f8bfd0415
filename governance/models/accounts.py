"""People and teams. A user's role is the Django group they belong to (see governance.roles)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property


class Team(models.Model):
    """A group of engineers that owns models; engineers change only their own team's models."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A Warden user: a Django user with an optional team."""

    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    # Set when someone other than the owner chose the password: it cannot sign until the owner
    # changes it (21 CFR 11.300, a signature's password is known to its owner alone).
    password_set_by_other = models.BooleanField(default=False)
    # The identity provider's `sub` for an account provisioned by single sign-on (None for local
    # accounts): such an account signs by re-authenticating there, never with a password.
    sso_subject = models.CharField(max_length=255, null=True, blank=True, unique=True)

    @property
    def printed_name(self) -> str:
        """The name shown on signatures and in the trail: full name, else the username."""
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of the user's groups, read once per user object (once per request)."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: str) -> bool:
        """True when the user belongs to the role's group (superusers hold every role)."""
        return self.is_superuser or role in self.role_names

"""E-mail notifications, through Django's e-mail backend (the console in the embedded default)."""

from django.conf import settings
from django.core.mail import send_mail

from governance.models import User
from governance.roles import Role


def notify(recipients: list[User], subject: str, body: str) -> int:
    """Send one plain-text message to the users that have an address; the count sent."""
    addresses = sorted({user.email for user in recipients if user.email})
    if not addresses:
        return 0
    return send_mail(f"[Warden] {subject}", body, settings.DEFAULT_FROM_EMAIL, addresses)


def risk_officers() -> list[User]:
    return list(User.objects.filter(groups__name=Role.RISK_OFFICER, is_active=True))

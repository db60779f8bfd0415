"""The version lifecycle's scheduled side: approvals that are about to expire."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance.models import ModelVersion, VersionStatus
from governance.notifications import notify
from governance.trail import event_record

LIVE_STATUSES = (VersionStatus.APPROVED, VersionStatus.DEPLOYED)


def revalidations_due() -> list[int]:
    """Ids of live versions whose approval expires within WARDEN_REVALIDATION_NOTICE_DAYS and
    whose owner has not been reminded of it yet."""
    horizon = timezone.now() + timedelta(days=settings.WARDEN_REVALIDATION_NOTICE_DAYS)
    return list(
        ModelVersion.objects.filter(
            status__in=LIVE_STATUSES,
            approval_expires_at__lte=horizon,
            revalidation_reminded_at__isnull=True,
        ).values_list("pk", flat=True)
    )


def revalidation_remind(*, version_id: int) -> bool:
    """E-mail the model's owner that the approval expires, once per approval."""
    with transaction.atomic():
        version = (
            ModelVersion.objects.select_for_update()
            .select_related("model__owner")
            .get(pk=version_id)
        )
        if version.revalidation_reminded_at or version.approval_expires_at is None:
            return False
        version.revalidation_reminded_at = timezone.now()
        version.save(update_fields=["revalidation_reminded_at"])
        expires = version.approval_expires_at
        event_record(
            actor=None,
            verb="revalidation_reminder_sent",
            target=version,
            after={"approval_expires_at": expires.isoformat()},
        )
        owner = version.model.owner
        transaction.on_commit(
            lambda: notify(
                [owner],
                f"{version} needs revalidation by {expires:%Y-%m-%d}",
                f"The approval of {version} expires on {expires:%Y-%m-%d %H:%M} UTC. Upload a "
                "current evaluation set, run an audit and submit it for review before then.",
            )
        )
    return True

"""What other apps do when the registry changes, without the registry importing them: an app
registers a listener at start-up (reports.apps registers the model card), and the registry calls
every listener once the change has committed."""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

VersionListener = Callable[[int], None]
_version_approved: list[VersionListener] = []


def on_version_approved(listener: VersionListener) -> None:
    """Register `listener(version_id)`, called after a version becomes approved (once each)."""
    if listener not in _version_approved:
        _version_approved.append(listener)


def version_approved(version_id: int) -> None:
    """Tell every listener; one that fails is logged and never undoes or hides the approval."""
    for listener in list(_version_approved):
        try:
            listener(version_id)
        except Exception:
            logger.exception("version #%s approved: listener %r failed", version_id, listener)

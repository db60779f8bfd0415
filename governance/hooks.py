"""What other apps do when the registry changes, without the registry importing them: an app
registers a listener at start-up and the registry calls every listener once the change has
committed. The hooks and who listens (tests/test_app_registrations.py holds these true):

- `version_approved`, fired by governance.decisions.decision_record: reports.tasks.
  model_card_on_approval (registered in reports.apps) queues the signed model card.
- `trail_anchors`, read by governance.trail.trail_verify: governance.checkpoints.
  checkpoint_anchors (governance.apps) and reports.trail_anchors.report_anchors (reports.apps)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from governance.trail import Anchor

logger = logging.getLogger(__name__)

VersionListener = Callable[[int], None]
AnchorSource = Callable[[], Iterable["Anchor"]]
_version_approved: list[VersionListener] = []
_anchor_sources: list[AnchorSource] = []


def on_version_approved(listener: VersionListener) -> None:
    """Register `listener(version_id)`, called after a version becomes approved (once each)."""
    if listener not in _version_approved:
        _version_approved.append(listener)


def version_approved(version_id: int) -> None:
    """Tell every listener (reports.tasks.model_card_on_approval: queue the card); one that fails
    is logged and never undoes or hides the approval."""
    for listener in list(_version_approved):
        try:
            listener(version_id)
        except Exception:
            logger.exception("version #%s approved: listener %r failed", version_id, listener)


def version_approved_listeners() -> tuple[VersionListener, ...]:
    """Who `version_approved` tells, in registration order."""
    return tuple(_version_approved)


def on_trail_anchors(source: AnchorSource) -> None:
    """Register `source()`, which yields every trail head recorded outside the chain (checkpoint
    files, issued documents), for verification to compare the chain with."""
    if source not in _anchor_sources:
        _anchor_sources.append(source)


def trail_anchors() -> list[Anchor]:
    """Every registered source's anchors; a source that fails fails the verification."""
    return [anchor for source in _anchor_sources for anchor in source()]


def trail_anchor_sources() -> tuple[AnchorSource, ...]:
    """Who `trail_anchors` asks, in registration order."""
    return tuple(_anchor_sources)

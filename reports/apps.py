"""App configuration for signed model cards and compliance reports."""

import logging

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Asks the registry to tell us when a version is approved (governance cannot import us),
    so its model card is issued by a worker then, and gives trail verification the head every
    issued document recorded."""

    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from governance.hooks import on_trail_anchors, on_version_approved
        from reports.tasks import model_card_on_approval
        from reports.trail_anchors import report_anchors

        on_version_approved(model_card_on_approval)
        on_trail_anchors(report_anchors)
        # WeasyPrint logs each rendering step at INFO, and a warning for every SVG presentation
        # property its HTML style parser skips (its SVG renderer draws them): hundreds of lines
        # per card that would bury the warnings that matter.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        logging.getLogger("weasyprint").addFilter(_svg_style_noise)


def _svg_style_noise(record: logging.LogRecord) -> bool:
    """False for WeasyPrint's "Ignored `stroke: ...` at 1:1, unknown property." lines."""
    message = record.getMessage()
    return not (message.startswith("Ignored `") and message.endswith("unknown property."))

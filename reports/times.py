"""Times as every document prints them."""

from datetime import UTC, datetime


def utc_text(moment: datetime | None) -> str:
    """A time as printed on documents: UTC to the minute."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else ""

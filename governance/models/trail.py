"""The trail: an append-only, hash-chained record of every write."""

from django.conf import settings
from django.db import models


class Event(models.Model):
    """One thing that happened. `hash` = sha256(prev_hash + canonical JSON of the content), so
    altering, removing or inserting any row breaks the chain. Actor name and target repr are
    copied as text so the record survives the deletion of what it names."""

    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=200)
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, db_index=True)
    target_id = models.CharField(max_length=64, db_index=True)
    target_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.target_type}:{self.target_id}"


class TrailHead(models.Model):
    """The single row naming the newest event. Writers lock it to append one at a time (so the
    chain never forks), and verification compares against it to catch a truncated tail."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"

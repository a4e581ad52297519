"""A subject's timeline (a brief's, say), read from its audit events: each with its label in the reader's
language, never a code."""

from .models import AuditEvent


def timeline_for(subject) -> list[AuditEvent]:
    """The events on ``subject``'s timeline, oldest first, with their actors (``event.label`` and
    ``event.reason`` give the words)."""
    return list(AuditEvent.objects.about(subject).select_related("actor").order_by("sequence"))

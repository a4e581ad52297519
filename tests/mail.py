"""Mail in tests: services queue rows in the outbox (core.outbox); ``deliver()`` runs what the worker and the
sweep do, so the mails land in Django's test outbox (``mailoutbox``)."""

from django.utils import timezone

from core import outbox


def deliver(now=None) -> int:
    return outbox.sweep(now=now or timezone.now())

"""Celery tasks of disclosure packages. ``build_export`` is idempotent (a run takes the job on with a conditional
update and writes only while it still holds it; see ``exports``), so acks_late is safe: a worker lost halfway gets
the job again, or the sweep queues it again, and one run finishes it."""

from celery import shared_task
from django.utils import timezone

from core.queue import enqueue

from . import exports


@shared_task(acks_late=True)
def build_export(export_id: int) -> str:
    """Make one disclosure package (queued by the period page, or again by the sweep)."""
    export = exports.export_build(export_id, now=timezone.now(), clock=timezone.now)
    return export.status if export is not None else "skipped"


@shared_task(acks_late=True)
def sweep_exports() -> int:
    """Beat, every minute: queue again the packages the queue lost and those whose worker went silent."""
    ids = exports.stalled(now=timezone.now())
    for export_id in ids:
        enqueue(build_export, export_id)
    return len(ids)


@shared_task(acks_late=True)
def expire_exports() -> int:
    """Beat, daily: delete packages older than ``exports.KEEP_DAYS`` days."""
    return exports.expire(now=timezone.now())

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat

HEARTBEAT_NAME = "celery"


@shared_task(ignore_result=True)
def record_heartbeat() -> None:
    """Beat sends this every minute; the health endpoint reports when a worker last ran it."""
    WorkerHeartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"last_seen": timezone.now()})

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat

HEARTBEAT_NAME = "celery"


@shared_task(ignore_result=True)
def record_heartbeat() -> None:
    """Beat sends this every minute; the health endpoint reports when a worker last ran it."""
    WorkerHeartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"last_seen": timezone.now()})


@shared_task(ignore_result=True, acks_late=True)
def deliver_mail(mail_id: int) -> str:
    """Deliver one outbox mail (idempotent: a mail is claimed before it is sent)."""
    from . import outbox

    return outbox.deliver(mail_id, now=timezone.now())


@shared_task(ignore_result=True, acks_late=True)
def sweep_outbox() -> int:
    """Beat, every minute: deliver what the queue lost or what waits for another attempt."""
    from . import outbox

    return outbox.sweep(now=timezone.now())

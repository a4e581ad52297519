"""Daily: sign a checkpoint of every audit chain and send it out of the database (log, and mail if set)."""

from celery import shared_task
from django.utils import timezone

from . import checkpoints


@shared_task(autoretry_for=(OSError,), retry_backoff=60, retry_jitter=True, max_retries=5)
def write_checkpoints() -> int:
    return len(checkpoints.write(now=timezone.now()))

"""Celery tasks that pull stats. Idempotent (upserts keyed by video and bucket), so acks_late is safe:
a worker killed halfway gets the task again and writes the same snapshots once."""

from celery import shared_task

from accounts.models import Channel

from . import services
from .client import TikTokError
from .models import ChannelConnection, ConnectionStatus

# Short countdowns only: nothing scheduled further ahead than Redis' visibility timeout (1 hour).
MAX_BACKOFF_SECONDS = 600


@shared_task(bind=True, acks_late=True, max_retries=6)
def pull_channel_stats(self, channel_id: int, fresh_only: bool = False) -> int:
    channel = Channel.objects.get(pk=channel_id)
    try:
        return services.pull_video_stats(channel, fresh_only=fresh_only).snapshots_written
    except TikTokError as error:
        if not error.retryable:
            raise
        # Exponential backoff with jitter, honouring Retry-After when TikTok sends one.
        delay = error.retry_after or min(MAX_BACKOFF_SECONDS, 30 * 2**self.request.retries)
        raise self.retry(exc=error, countdown=min(delay, MAX_BACKOFF_SECONDS)) from error


@shared_task
def pull_all_channels() -> int:
    """Beat: queue a pull for every connected channel."""
    ids = list(ChannelConnection.objects.filter(status=ConnectionStatus.CONNECTED).values_list("channel_id", flat=True))
    for channel_id in ids:
        pull_channel_stats.delay(channel_id)
    return len(ids)

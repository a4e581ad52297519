"""Celery tasks that pull stats. Idempotent (upserts keyed by video and bucket, followers by day), so
acks_late is safe: a worker killed halfway gets the task again and writes the same snapshots once."""

import random
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Channel
from content.models import Posting

from . import post_checks, services
from .client import TikTokError
from .models import ChannelConnection, ConnectionStatus

# Short countdowns only: nothing scheduled further ahead than Redis' visibility timeout (1 hour).
MAX_BACKOFF_SECONDS = 600


def backoff_seconds(error: TikTokError, retries: int) -> float:
    """Exponential backoff with full jitter, or TikTok's Retry-After when it sends one; never long."""
    if error.retry_after:
        return min(error.retry_after, MAX_BACKOFF_SECONDS)
    return random.uniform(0, min(MAX_BACKOFF_SECONDS, 30 * 2**retries))  # noqa: S311 - jitter, not crypto


def _retry_or_raise(task, error: Exception):
    """Retry a passing fault with backoff, and say so on the failed run: a retry queued, or none left (then the
    next scheduled pull tries again)."""
    if isinstance(error, OperationalError):  # e.g. the database was briefly unreachable or locked
        error = TikTokError("database_unavailable", str(error), 0)
    if not error.retryable:
        raise error
    if task.request.retries >= task.max_retries:
        services.note_next_attempt(error.run, gave_up=True)
        raise error
    countdown = backoff_seconds(error, task.request.retries)
    services.note_next_attempt(error.run, retry_at=timezone.now() + timedelta(seconds=countdown))
    raise task.retry(exc=error, countdown=countdown) from error


# Both pulls are safe to run twice at once (a redelivery after a lost worker, and the reaper's requeue): every
# write is an upsert on its unique key.
@shared_task(bind=True, acks_late=True, max_retries=6)
def pull_channel_stats(self, channel_id: int, fresh_only: bool = False) -> int:
    channel = Channel.objects.get(pk=channel_id)
    now = timezone.now()
    try:
        written = services.pull_video_stats(channel, now=now, fresh_only=fresh_only).snapshots_written
    except (TikTokError, OperationalError) as error:
        _retry_or_raise(self, error)
    # A post's first figures: TikTok has settled it, so what went live is compared with its approval again.
    for posting in post_checks.due_after_first_pull(channel, now=now):
        check_post.delay(posting.pk, "first_pull")
    return written


@shared_task(bind=True, acks_late=True, max_retries=6)
def pull_channel_followers(self, channel_id: int) -> int:
    channel = Channel.objects.get(pk=channel_id)
    try:
        return services.pull_followers(channel, now=timezone.now()).snapshots_written
    except (TikTokError, OperationalError) as error:
        _retry_or_raise(self, error)


def _connected_channel_ids() -> list[int]:
    return list(
        ChannelConnection.objects.filter(status=ConnectionStatus.CONNECTED).values_list("channel_id", flat=True)
    )


@shared_task
def pull_all_channels(fresh_only: bool = False) -> int:
    """Beat: queue a video-stats pull for every connected channel (``fresh_only``: last 7 days' videos)."""
    ids = _connected_channel_ids()
    for channel_id in ids:
        pull_channel_stats.delay(channel_id, fresh_only=fresh_only)
    return len(ids)


@shared_task
def pull_all_followers() -> int:
    """Beat: queue a follower count for every connected channel."""
    ids = _connected_channel_ids()
    for channel_id in ids:
        pull_channel_followers.delay(channel_id)
    return len(ids)


@shared_task
def reap_stuck_runs() -> int:
    """Beat, every 10 minutes: runs a lost worker left "running" are failed on record and their pulls queued again."""
    return len(services.reap_stuck_runs(now=timezone.now()))


@shared_task(acks_late=True)
def warn_expiring_connections() -> int:
    """Beat, daily: mail team social 14 days before TikTok's authorisation of a channel runs out."""
    return services.warn_expiring_connections(now=timezone.now())


@shared_task(bind=True, acks_late=True, max_retries=6)
def check_post(self, posting_id: int, trigger: str = "recorded") -> str:
    """Compare a live post with its approval (``stats.post_checks``); a passing TikTok fault is retried, and the
    failed check stays on record for the sweep if the retries run out."""
    posting = Posting.objects.select_related("brief__organisation", "brief__channel", "video_version").get(
        pk=posting_id
    )
    try:
        return post_checks.check_posting(posting, now=timezone.now(), trigger=trigger).outcome
    except TikTokError as error:
        if not error.retryable or self.request.retries >= self.max_retries:
            return "failed"
        raise self.retry(exc=error, countdown=backoff_seconds(error, self.request.retries)) from error


@shared_task
def sweep_post_checks() -> int:
    """Beat, hourly: recent posts whose check failed or was lost are checked again."""
    due = post_checks.due_for_another_check(now=timezone.now())
    for posting in due:
        check_post.delay(posting.pk, "retry")
    return len(due)

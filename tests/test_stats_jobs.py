"""The stats jobs: beat schedule, tasks with retries, and the rate limit every worker shares."""

import inspect
import math
import threading
import uuid

import pytest
from django.conf import settings as django_settings

from stats import ratelimit, services, tasks
from stats.client import TikTokError
from stats.models import FollowerSnapshot, PullRun, RunStatus, VideoSnapshot
from tiktokplanner.celery import app

from .test_stats import add_posted_videos

pytestmark = pytest.mark.django_db


def drain_queue() -> list[tuple[str, list, dict]]:
    """What the code under test queued on the in-memory broker: (task name, args, kwargs)."""
    found = []
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare("celery", passive=False)
        while (message := channel.basic_get("celery", no_ack=True)) is not None:
            args, kwargs, _ = message.decode()
            found.append((message.headers["task"], args, kwargs))
    return found


def test_every_beat_entry_names_a_registered_task_with_fitting_arguments():
    app.loader.import_default_modules()
    for name, entry in django_settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        task = app.tasks[entry["task"]]
        inspect.signature(task.run).bind(*entry.get("args", ()), **entry.get("kwargs", {}))


def test_the_three_hourly_beat_queues_fresh_pulls_per_connected_channel(connected):
    world, _, _ = connected
    drain_queue()
    assert tasks.pull_all_channels(fresh_only=True) == 1
    assert drain_queue() == [("stats.tasks.pull_channel_stats", [world.channel.pk], {"fresh_only": True})]
    assert tasks.pull_all_followers() == 1
    assert drain_queue() == [("stats.tasks.pull_channel_followers", [world.channel.pk], {})]


def test_a_429_then_success_through_the_task(connected, simulator):
    world, _, _ = connected
    simulator.fail_next(429, "rate_limit_exceeded", retry_after=1)
    result = tasks.pull_channel_stats.apply(args=[world.channel.pk])
    assert result.successful() and result.get() == 1
    assert list(PullRun.objects.order_by("started_at", "pk").values_list("status", flat=True)) == [
        RunStatus.FAILED,
        RunStatus.SUCCEEDED,
    ]
    assert VideoSnapshot.objects.count() == 1


def test_a_follower_pull_retries_a_server_error(connected, simulator):
    world, _, _ = connected
    simulator.fail_next(503, "internal_error")
    assert tasks.pull_channel_followers.apply(args=[world.channel.pk]).get() == 1
    assert FollowerSnapshot.objects.get().followers == 14_500


def test_a_permanent_error_is_not_retried(connected, simulator):
    world, _, _ = connected
    simulator.fail_next(400, "invalid_params")
    result = tasks.pull_channel_stats.apply(args=[world.channel.pk])
    assert result.failed() and isinstance(result.result, TikTokError)
    assert PullRun.objects.get().status == RunStatus.FAILED


def test_backoff_honours_retry_after_and_stays_short():
    assert tasks.backoff_seconds(TikTokError("rate_limit_exceeded", status=429, retry_after=7), 0) == 7
    assert tasks.backoff_seconds(TikTokError("x", status=429, retry_after=86_400), 0) == tasks.MAX_BACKOFF_SECONDS
    delays = {tasks.backoff_seconds(TikTokError("x", status=500), 3) for _ in range(20)}
    assert len(delays) > 1 and all(0 <= d <= 240 for d in delays)  # jittered, exponential cap 30 * 2**3


def test_the_bucket_allows_a_tenth_of_the_minute_at_once_then_asks_to_wait(settings):
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 60  # a burst of 6, then 0.9 a second
    endpoint, token = f"/v2/test/{uuid.uuid4()}/", "act.one"
    assert [ratelimit.take(endpoint, token) for _ in range(6)] == [0.0] * 6
    wait = ratelimit.take(endpoint, token)
    assert 0.5 < wait <= 1 / 0.9 + 0.01
    assert ratelimit.take(endpoint, "act.other") == 0.0  # per token
    assert ratelimit.take(f"{endpoint}other/", token) == 0.0  # per endpoint


def test_workers_share_one_bucket(settings):
    """Eight threads (as eight workers would) take 40 tokens from a bucket that has one: one wins."""
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 10  # a burst of 1, the next after 6.7 seconds
    endpoint, taken = f"/v2/test/{uuid.uuid4()}/", []

    def worker():
        taken.extend(wait for wait in (ratelimit.take(endpoint, "act.shared") for _ in range(5)) if wait == 0)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 1


def test_no_minute_sees_more_than_the_limit():
    """The burst plus one minute's refill: the most requests any 60-second window can hold."""
    for per_minute in (1, 2, 10, 60, 600):
        rule = ratelimit.Allowance(per_minute)
        assert rule.refill_per_second > 0
        assert math.floor(rule.capacity + rule.refill_per_second * 60 + 1e-9) <= per_minute


def test_a_pull_waits_for_the_shared_limit_and_then_hands_over_to_a_retry(connected, simulator, settings, monkeypatch):
    """With the budget used up, the pull stops before asking TikTok: a retryable 429 of our own."""
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 25)  # 26 videos: two requests
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 10
    monkeypatch.setattr(ratelimit, "MAX_WAIT_SECONDS", 0)
    with pytest.raises(TikTokError) as error:
        services.pull_video_stats(world.channel)
    assert (error.value.code, error.value.status, error.value.retryable) == ("rate_limited", 429, True)
    run = PullRun.objects.get()
    assert (run.status, run.requests_made) == (RunStatus.FAILED, 1)
    assert simulator.requests.count("/v2/video/query/") == 1
    assert not VideoSnapshot.objects.exists()


def test_the_results_page_shows_the_schedule_from_the_beat_settings(world, client_for):
    page = client_for(world.people["team_social"]).get("/results/").content.decode()
    assert "Figures of videos posted in the last 7 days: every 3 hours" in page
    assert "Follower count of each connected channel: daily at 05:20 (UTC)" in page


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="the Redis bucket runs where REDIS_URL is set (CI)")
def test_with_redis_the_bucket_is_one_atomic_script_in_redis():
    assert ratelimit._redis_client() is not None
    key = ratelimit.bucket_key("/v2/video/query/", "act.secret-token")
    assert "secret-token" not in key  # only a hash of the token leaves the process

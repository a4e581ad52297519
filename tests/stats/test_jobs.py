"""The stats jobs: beat schedule, tasks with retries, and the rate limit every worker shares."""

import inspect
import math
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from stats import locks, ratelimit, services, tasks
from stats.client import OAuthClient, TikTokError
from stats.models import FollowerSnapshot, PullRun, PullStatus, VideoSnapshot
from tests.stats.test_pulls import add_posted_videos
from tests.world import STAGED_AT
from tiktokplanner.celery import app

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
        PullStatus.FAILED,
        PullStatus.SUCCEEDED,
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
    assert PullRun.objects.get().status == PullStatus.FAILED


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
        services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (error.value.code, error.value.status, error.value.retryable) == ("rate_limited", 429, True)
    run = PullRun.objects.get()
    assert (run.status, run.requests_made) == (PullStatus.FAILED, 1)
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


def test_a_long_run_is_paced_not_stopped(settings, monkeypatch):
    """Past the burst, requests wait a ninth of a second each; only one long wait hands over to a retry."""
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 600
    monkeypatch.setattr(ratelimit, "MAX_WAIT_SECONDS", 0.3)
    limiter = ratelimit.Limiter(f"act.{uuid.uuid4()}")
    for _ in range(65):  # a burst of 60, then five paced requests
        limiter("/v2/video/query/")
    assert 0.3 < limiter.waited < 2


def test_the_shared_lock_lets_one_holder_in_at_a_time():
    """As two workers refreshing one channel's token would: never two holders at once."""
    name, inside, most = f"test-{uuid.uuid4().hex}", [], []

    def worker():
        for _ in range(5):
            with locks.exclusive(name, wait_seconds=10):
                inside.append(1)
                most.append(len(inside))
                time.sleep(0.005)
                inside.pop()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(most) == 30 and max(most) == 1


def test_a_held_lock_makes_the_next_worker_give_up_in_time():
    name = f"test-{uuid.uuid4().hex}"
    with locks.exclusive(name):
        result = []

        def other():
            try:
                with locks.exclusive(name, wait_seconds=0.2):
                    result.append("entered")
            except locks.LockBusy:
                result.append("busy")

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert result == ["busy"]
    with locks.exclusive(name, wait_seconds=0.2):  # and free again afterwards
        pass


def test_the_daily_follower_pull_finds_videos_nobody_recorded(connected, simulator, client_for):
    """The account's video list is paged with TikTok's cursor; videos no posting records are shown to
    team social, and vanish from the list once the agency records them."""
    world, stages, connection = connected
    add_posted_videos(world, stages, simulator, 20, first_id=7_400_000_000_000_000_000)  # recorded
    for n in range(3):
        simulator.add_video("open-ministry", str(7_500_000_000_000_000_000 + n))  # posted, never recorded
    run = services.pull_followers(world.channel, now=STAGED_AT)
    assert run.requests_made == 1 + 2  # user info, and 24 videos in pages of at most 20
    connection.refresh_from_db()
    assert sorted(video["id"] for video in connection.unrecorded_videos) == [
        str(7_500_000_000_000_000_000 + n) for n in range(3)
    ]
    page = client_for(world.people["team_social"]).get(f"/results/channels/{world.channel.pk}/").content.decode()
    assert "3 videos on TikTok are not recorded in the planner" in page
    assert f"/video/{7_500_000_000_000_000_000}" in page
    page = client_for(world.people["management"]).get(f"/results/channels/{world.channel.pk}/").content.decode()
    assert "not recorded in the planner" not in page  # an operational notice for team social

    from content.models import Posting

    # The agency corrects a posting that had the wrong link: that video is now recorded, the other not.
    corrected = Posting.objects.get(tiktok_video_id="7400000000000000019")
    corrected.tiktok_video_id = "7500000000000000000"
    corrected.save()
    services.pull_followers(world.channel, now=STAGED_AT)
    connection.refresh_from_db()
    assert sorted(video["id"] for video in connection.unrecorded_videos) == [
        "7400000000000000019",
        "7500000000000000001",
        "7500000000000000002",
    ]


def test_the_video_list_follows_the_cursor_through_short_pages(simulator, settings):
    from stats.client import TikTokClient

    for n in range(45):
        simulator.add_video("open-ministry", str(7_600_000_000_000_000_000 + n))
    client = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret)
    tokens = client.exchange_code(simulator.authorization_code("open-ministry"), "http://testserver/callback")
    api = TikTokClient(settings.TIKTOK_API_BASE_URL, tokens.access_token)
    assert len({video["id"] for video in api.all_videos()}) == 45
    assert api.requests_made == 3


def test_a_video_without_valid_figures_is_skipped_and_said(connected, simulator):
    """An answer is checked before it is stored: a null count is not a zero."""
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 2, first_id=7_700_000_000_000_000_000)
    simulator.accounts["open-ministry"].videos[0].share_count = None
    run = services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (run.status, run.snapshots_written) == (PullStatus.SUCCEEDED, 2)
    assert run.error_code == "incomplete_figures" and "7700" not in run.error.split(":")[0]
    assert "asked for again in the next pull" in run.problem
    assert not VideoSnapshot.objects.filter(posting__tiktok_video_id=stages.posting.tiktok_video_id).exists()


def test_a_malformed_answer_fails_the_run_on_record(connected, simulator):
    world, _, _ = connected
    simulator.answer_next({"data": {"videos": ["not an object"]}, "error": {"code": "ok"}})
    with pytest.raises(TikTokError):
        services.pull_video_stats(world.channel, now=STAGED_AT)
    run = PullRun.objects.get()
    assert (run.status, run.error_code) == (PullStatus.FAILED, "bad_response")
    assert not VideoSnapshot.objects.exists()


def test_figures_entered_by_hand_and_the_apis_stay_side_by_side(connected):
    """Each source keeps its own snapshot: a pull never relabels or overwrites what was typed in."""
    from stats.imports import record_figures
    from stats.models import Source

    world, stages, _ = connected
    figures = {"views": 1, "likes": 1, "comments": 1, "shares": 1}
    record_figures(stages.posting, actor=world.people["team_social"], captured_at=STAGED_AT, **figures)
    bucket = VideoSnapshot.objects.get().bucket
    services.pull_video_stats(world.channel, now=bucket + timedelta(minutes=5))
    services.pull_video_stats(world.channel, now=bucket + timedelta(minutes=6))  # a rerun: still one API row
    assert sorted(VideoSnapshot.objects.values_list("source", "views")) == [(Source.API, 107_000), (Source.MANUAL, 1)]


def test_failed_runs_say_what_went_wrong_in_the_readers_language(connected, simulator, client_for):
    world, _, _ = connected
    simulator.fail_next(401, "scope_not_authorized")
    with pytest.raises(TikTokError):
        services.pull_video_stats(world.channel, now=STAGED_AT)
    client = client_for(world.people["team_social"])
    page = client.get(f"/results/channels/{world.channel.pk}/").content.decode()
    assert "The channel did not give the permission this needs: connect it again." in page
    world.people["team_social"].language = "nl"
    world.people["team_social"].save()
    page = client_for(world.people["team_social"]).get(f"/results/channels/{world.channel.pk}/").content.decode()
    assert "did not give the permission" not in page and "(scope_not_authorized)" in page


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="the Redis lock runs where REDIS_URL is set (CI)")
def test_an_expired_redis_lock_is_not_released_by_its_late_holder():
    name = f"test-{uuid.uuid4().hex}"
    with locks.exclusive(name, hold_seconds=0.2):
        time.sleep(0.3)  # held too long: the lock expired and the next worker takes it
        second = locks.exclusive(name, wait_seconds=0.5)
        second.__enter__()
    # The first holder's exit must not have freed the second holder's lock.
    with pytest.raises(locks.LockBusy), locks.exclusive(name, wait_seconds=0.2):
        pass
    second.__exit__(None, None, None)


def test_connecting_queues_the_first_pull_so_figures_arrive_at_once(
    world, simulator, settings, client_for, django_capture_on_commit_callbacks
):
    from tests.stats.test_pulls import _authorize

    settings.TIKTOK_AUTHORIZE_URL = settings.TIKTOK_API_BASE_URL + "/v2/auth/authorize/"
    client = client_for(world.people["team_social"])
    callback = _authorize(client, settings.TIKTOK_API_BASE_URL, world.channel)
    drain_queue()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(callback.replace("http://testserver", "")).status_code == 302
    queued = drain_queue()
    assert [name for name, _, _ in queued] == ["stats.tasks.pull_channel_stats", "stats.tasks.pull_channel_followers"]
    for name, args, kwargs in queued:  # as the worker would
        app.tasks[name].apply(args=args, kwargs=kwargs).get()
    assert FollowerSnapshot.objects.get(channel=world.channel).followers == 14_500


def test_pull_now_queues_a_pull_for_a_connected_channel_only(
    world, simulator, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.people["team_social"])
    url = f"/results/channels/{world.channel.pk}/pull/"
    drain_queue()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True).content.decode()
    assert "Connect the channel to TikTok first." in page and drain_queue() == []


def test_a_failed_last_pull_is_flagged_on_the_results_page(
    connected, simulator, client_for, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    world, _, _ = connected
    cache.delete(f"tiktok-pull-now-{world.channel.pk}")  # the cache outlives the test database
    client = client_for(world.people["team_social"])
    drain_queue()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/results/channels/{world.channel.pk}/pull/")
        again = client.post(f"/results/channels/{world.channel.pk}/pull/", follow=True).content.decode()
    assert len(drain_queue()) == 2  # the second click within the minute queued nothing
    assert "A pull was queued less than a minute ago." in again
    simulator.fail_next(500, "internal_error")
    with pytest.raises(TikTokError):
        services.pull_video_stats(world.channel, now=STAGED_AT)
    page = client.get(f"/results/channels/{world.channel.pk}/").content.decode()
    # Pulled here, not by the task: no retry is queued, and the page doesn't claim one.
    assert "failed: TikTok could not be reached. The next scheduled pull will try again." in page
    services.pull_video_stats(world.channel, now=STAGED_AT)
    assert "failed:" not in client.get(f"/results/channels/{world.channel.pk}/").content.decode()


def test_team_social_home_says_when_figures_stop_arriving(connected, simulator, client_for):
    from stats.health import needing_attention

    world, _, connection = connected
    home = client_for(world.people["team_social"])
    channels = [world.channel]
    soon = STAGED_AT + timedelta(minutes=1)
    assert [a.message for a in needing_attention(channels, now=soon)] == ["No new figures for more than a day."]
    connection.connected_at = STAGED_AT
    connection.save()
    assert needing_attention(channels, now=soon) == []  # just connected: the first pull is on its way
    services.pull_video_stats(world.channel, now=STAGED_AT)
    assert needing_attention(channels, now=soon) == []
    assert "TikTok channels" not in home.get("/").content.decode()
    later = STAGED_AT + timedelta(hours=27)
    assert [a.message for a in needing_attention(channels, now=later)] == ["No new figures for more than a day."]
    simulator.fail_next(500, "internal_error")
    with pytest.raises(TikTokError):
        services.pull_video_stats(world.channel, now=STAGED_AT)
    page = home.get("/").content.decode()
    assert "TikTok channels" in page
    failed = "The last pull from TikTok failed: TikTok could not be reached. The next scheduled pull will try again."
    assert failed in page
    connection.status = "reconnect"
    connection.save()
    assert "connect the channel again" in needing_attention(channels, now=soon)[0].message
    assert "TikTok channels" not in client_for(world.people["management"]).get("/").content.decode()


def test_a_slow_answer_times_out_into_a_retryable_failure(connected, simulator, settings):
    world, _, _ = connected
    settings.TIKTOK_TIMEOUT_SECONDS = 0.2
    simulator.delay = 0.6
    with pytest.raises(TikTokError) as error:
        services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (error.value.code, error.value.retryable) == ("network_error", True)
    run = PullRun.objects.get()
    assert run.status == PullStatus.FAILED and "could not be reached" in run.problem
    assert not VideoSnapshot.objects.exists()
    simulator.delay, settings.TIKTOK_TIMEOUT_SECONDS = 0, 10  # TikTok answers in time again
    assert services.pull_video_stats(world.channel, now=STAGED_AT).status == PullStatus.SUCCEEDED

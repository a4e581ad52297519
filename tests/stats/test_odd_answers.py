"""TikTok's odd answers and the states that follow (issue 13): a video TikTok no longer returns, a video answered
twice, a token that dies during the follower pull, broken JSON, figures as of a day before the video was posted,
texts that say what is true, runs a lost worker left "running", and the mails that a channel needs team social.

Against the simulator over real HTTP on loopback (only TikTok is faked); the clock stands at STAGED_AT."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from accounts.access import people_with_role
from accounts.roles import Role
from audit.models import AuditEvent
from content.models import Posting
from core import outbox
from core.models import OutgoingMail
from stats import imports, services, tasks
from stats.client import OAuthClient, TikTokError
from stats.models import ConnectionStatus, FollowerSnapshot, MissingVideo, PullRun, PullStatus, RunKind, VideoSnapshot
from tests.stats.test_jobs import drain_queue
from tests.stats.test_pulls import add_posted_videos
from tests.stats.test_results import csv_bytes, posted_days_earlier, studio_rows
from tests.world import SIMULATED_OPEN_ID, STAGED_AT
from tiktokplanner.celery import app

pytestmark = pytest.mark.django_db
OPEN_ID = SIMULATED_OPEN_ID
QUERY, USER_INFO, REVOKE = "/v2/video/query/", "/v2/user/info/", "/v2/oauth/revoke/"
FIRST_ID = 7_800_000_000_000_000_000


def page_of(client, channel, path="") -> str:
    return client.get(f"/results/channels/{channel.pk}/{path}").content.decode()


def sim_video(simulator, video_id):
    return next(video for video in simulator.accounts[OPEN_ID].videos if video.id == str(video_id))


# --- 1. A video TikTok no longer returns ------------------------------------------------------------


def test_a_video_tiktok_no_longer_returns_is_named_and_its_last_figures_marked_stale(connected, simulator, client_for):
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 2, first_id=FIRST_ID)
    services.pull_video_stats(world.channel, now=STAGED_AT)
    gone = Posting.objects.get(tiktok_video_id=str(FIRST_ID))
    sim_video(simulator, FIRST_ID).hidden = True  # deleted, or made private

    run = services.pull_video_stats(world.channel, now=STAGED_AT + timedelta(hours=3))
    assert (run.status, run.videos_asked, run.snapshots_written) == (PullStatus.SUCCEEDED, 3, 2)
    assert run.missing_videos == [str(FIRST_ID)]
    assert MissingVideo.objects.get().posting == gone

    social = client_for(world.people["team_social"])
    page = page_of(social, world.channel)
    assert "Not returned by TikTok: deleted or private?" in page
    assert f"{gone.brief.reference} “{gone.brief.title}”" in page
    mark = "TikTok no longer returns this video (deleted or private?)"
    assert mark in page
    mt = client_for(world.people["management"])
    assert mark in page_of(mt, world.channel) and "Not returned by TikTok" not in page_of(mt, world.channel)
    report = page_of(mt, world.channel, "report/")
    assert mark in report and "1 video is counted at its last figures" in report
    pdf = PdfReader(io.BytesIO(mt.get(f"/results/channels/{world.channel.pk}/report.pdf").content))
    assert mark in " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert mark in mt.get(f"/results/videos/{gone.pk}/").content.decode()
    assert mark not in mt.get(f"/results/videos/{stages.posting.pk}/").content.decode()

    # Still missing a pull later: still marked, since the first miss.
    services.pull_video_stats(world.channel, now=STAGED_AT + timedelta(hours=6))
    assert MissingVideo.objects.get().since == STAGED_AT + timedelta(hours=3)

    sim_video(simulator, FIRST_ID).hidden = False  # back on TikTok
    run = services.pull_video_stats(world.channel, now=STAGED_AT + timedelta(hours=9))
    assert (run.missing_videos, run.snapshots_written) == ([], 3)
    assert not MissingVideo.objects.exists()
    assert mark not in page_of(mt, world.channel) and "Not returned by TikTok" not in page_of(social, world.channel)


# --- 2. A video answered twice ----------------------------------------------------------------------


def test_a_video_answered_twice_gets_no_figures_from_that_run_and_is_named(connected, simulator, client_for):
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 1, first_id=FIRST_ID)
    sim_video(simulator, FIRST_ID).answered_twice = True  # the second time with views=1
    run = services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (run.status, run.videos_asked, run.snapshots_written) == (PullStatus.SUCCEEDED, 2, 1)
    assert run.duplicate_videos == [str(FIRST_ID)]
    assert list(VideoSnapshot.objects.values_list("posting__tiktok_video_id", flat=True)) == [
        stages.posting.tiktok_video_id
    ]
    twice = Posting.objects.get(tiktok_video_id=str(FIRST_ID))
    page = page_of(client_for(world.people["team_social"]), world.channel)
    assert "TikTok's answer held these videos twice, so no figures were stored for them: " in page
    assert f"{twice.brief.reference} “{twice.brief.title}”" in page


# --- 3. The follower pull: a dead token, and answers that pass ---------------------------------------


def test_the_follower_pull_refreshes_a_dead_access_token_once_and_carries_on(connected, simulator):
    world, _, connection = connected
    old_refresh = connection.refresh_token
    simulator.expire_access_tokens()  # /v2/user/info/ answers 401 access_token_invalid
    run = services.pull_followers(world.channel, now=STAGED_AT)
    assert run.status == PullStatus.SUCCEEDED
    assert FollowerSnapshot.objects.get().followers == 14_500
    connection.refresh_from_db()
    assert connection.refresh_token != old_refresh and connection.status == ConnectionStatus.CONNECTED
    assert simulator.requests.count("/v2/oauth/token/") == 2  # the code exchange and one refresh
    assert run.requests_made == 1 + 1 + 1  # user info refused, user info, one page of videos


@pytest.mark.parametrize(("task", "path"), [("pull_channel_stats", QUERY), ("pull_channel_followers", USER_INFO)])
def test_broken_json_with_200_is_a_passing_fault_both_tasks_retry(connected, simulator, task, path):
    world, _, _ = connected
    simulator.answer_next('{"data": {"videos": [', path=path)  # cut off: not JSON
    result = getattr(tasks, task).apply(args=[world.channel.pk])
    assert result.successful()
    failed, succeeded = PullRun.objects.order_by("started_at", "pk")
    assert (failed.status, failed.error_code, succeeded.status) == (PullStatus.FAILED, "bad_response", "succeeded")
    assert failed.retry_at is not None and "will be tried again" in failed.problem


def test_the_follower_task_retries_a_token_refused_right_after_its_refresh(connected, simulator):
    world, _, connection = connected
    simulator.fail_next(401, "access_token_invalid", times=2, path=USER_INFO)
    assert tasks.pull_channel_followers.apply(args=[world.channel.pk]).get() == 1
    failed = PullRun.objects.order_by("started_at", "pk").first()
    assert failed.error_code == "token_refused_after_refresh" and failed.retry_at is not None
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED


# --- 4. Figures as of a day before the video was posted ---------------------------------------------


def test_a_studio_import_as_of_a_day_before_posting_is_refused_naming_the_video(connected, simulator):
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 1, first_id=FIRST_ID)
    postings = list(Posting.objects.filter(brief__channel=world.channel).order_by("tiktok_video_id"))
    late = postings[1]  # posted at STAGED_AT; the other a week earlier
    posted_days_earlier([postings[0]], days=7)
    yesterday = STAGED_AT - timedelta(days=1)
    result = imports.import_studio_csv(
        world.channel, csv_bytes(studio_rows(postings)), actor=world.people["team_social"], captured_at=yesterday
    )
    assert not result.ok and len(result.errors) == 1
    assert result.errors[0].startswith(f"Row 3: Video {late.tiktok_video_id} ({late.brief.reference} “")
    assert "was posted on 24/11/2026, after the figures' day 23/11/2026." in result.errors[0]
    assert not VideoSnapshot.objects.exists() and not PullRun.objects.filter(kind=RunKind.CSV_IMPORT).exists()


def test_figures_by_hand_as_of_a_day_before_posting_are_refused(connected, client_for):
    world, stages, _ = connected
    posting = stages.posting
    yesterday = (STAGED_AT - timedelta(days=1)).date()
    figures = {"views": 1, "likes": 1, "comments": 1, "shares": 1}
    response = client_for(world.people["team_social"]).post(
        f"/results/videos/{posting.pk}/", figures | {"as_of": yesterday}
    )
    assert response.status_code == 400
    assert f"Video {posting.tiktok_video_id} ({posting.brief.reference}" in response.content.decode()
    with pytest.raises(ValidationError):
        imports.record_figures(
            posting, actor=world.people["team_social"], captured_at=STAGED_AT - timedelta(days=1), **figures
        )
    assert not VideoSnapshot.objects.exists()
    assert not AuditEvent.objects.filter(action="stats.entered").exists()


# --- 5. States that say what is true ----------------------------------------------------------------


def _says_connect_again(text: str) -> bool:
    text = text.lower()
    return "connect again" in text or "connect the channel again" in text or "connect it again" in text


def test_two_401s_never_ask_to_connect_again_while_the_connection_is_fine(connected, simulator, client_for):
    world, _, connection = connected
    # The second 401 lands on the token endpoint, without OAuth's own error: that says nothing about the grant.
    simulator.fail_next(401, "access_token_invalid", times=2)
    with pytest.raises(TikTokError) as error:
        services.pull_video_stats(world.channel, now=STAGED_AT)
    assert error.value.retryable
    connection.refresh_from_db()
    assert (connection.status, connection.status_message) == (ConnectionStatus.CONNECTED, "")
    # Both 401s on the query: the token is refreshed in between, and TikTok refuses the new one as well.
    simulator.fail_next(401, "access_token_invalid", times=2, path=QUERY)
    with pytest.raises(TikTokError) as error:
        services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (error.value.code, error.value.retryable) == ("token_refused_after_refresh", True)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED
    runs = PullRun.objects.all()
    assert all(run.failed and not _says_connect_again(run.problem) for run in runs)
    page = page_of(client_for(world.people["team_social"]), world.channel)
    assert "the connection itself is fine" in page and not _says_connect_again(page)
    assert services.pull_video_stats(world.channel, now=STAGED_AT).status == PullStatus.SUCCEEDED


def test_a_run_says_it_is_tried_again_only_while_a_retry_is_queued(connected, simulator, client_for):
    world, _, _ = connected
    simulator.fail_next(500, "internal_error", times=tasks.pull_channel_stats.max_retries + 1)
    result = tasks.pull_channel_stats.apply(args=[world.channel.pk])
    assert result.failed()
    *retried, last = PullRun.objects.order_by("started_at", "pk")
    assert len(retried) == tasks.pull_channel_stats.max_retries
    assert all(run.retry_at and "will be tried again" in run.problem for run in retried)
    assert last.gave_up and last.retry_at is None
    assert last.problem == (
        "TikTok could not be reached. The pull gave up after several attempts; the next scheduled pull will try again."
    )
    page = page_of(client_for(world.people["team_social"]), world.channel)
    assert "failed: TikTok could not be reached. The pull gave up after several attempts" in page


def test_after_disconnecting_the_page_says_disconnected(connected, client_for):
    world, _, _ = connected
    client = client_for(world.people["team_social"])
    page = client.post(f"/results/channels/{world.channel.pk}/disconnect/", follow=True).content.decode()
    assert "The channel is disconnected from TikTok." in page
    assert "Disconnected from TikTok: no new figures arrive." in page and "Not connected to TikTok yet." not in page
    assert "did not confirm" not in page


def test_a_failed_revoke_at_tiktok_is_on_record_and_shown(connected, simulator, client_for):
    world, _, connection = connected
    simulator.fail_next(500, "internal_error", path=REVOKE)
    client = client_for(world.people["team_social"])
    page = client.post(f"/results/channels/{world.channel.pk}/disconnect/", follow=True).content.decode()
    assert "TikTok did not confirm that it revoked the planner&#x27;s access" in page
    event = AuditEvent.objects.get(action="tiktok.disconnected")
    assert event.details["revoked_at_tiktok"] is False and "server_error" in event.details["revoke_error"]
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED and connection.revoke_failed
    page = page_of(client, world.channel)  # later, too
    assert "Remove the planner's access in the TikTok account's settings too." in page


# --- 6. Runs a lost worker left "running" -----------------------------------------------------------


def test_a_run_a_lost_worker_left_running_is_failed_and_its_pull_queued_again(
    connected, simulator, client_for, django_capture_on_commit_callbacks
):
    world, _, _ = connected
    stuck = PullRun.objects.create(channel=world.channel, kind=RunKind.VIDEOS)  # the worker died here
    followers = PullRun.objects.create(channel=world.channel, kind=RunKind.FOLLOWERS)
    drain_queue()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reap_stuck_runs(now=STAGED_AT + timedelta(minutes=20)) == []  # still busy, perhaps
        reaped = services.reap_stuck_runs(now=followers.started_at + timedelta(minutes=31))
    assert [run.pk for run in reaped] == [stuck.pk, followers.pk]
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error_code) == (PullStatus.FAILED, "worker_lost") and stuck.finished_at
    assert stuck.problem == "The worker stopped during this pull. The pull will be tried again in a few minutes."
    queued = drain_queue()
    assert queued == [
        ("stats.tasks.pull_channel_stats", [world.channel.pk], {}),
        ("stats.tasks.pull_channel_followers", [world.channel.pk], {}),
    ]
    # The broker may deliver the lost task again besides the requeued one: running it twice writes each figure once.
    for name, args, kwargs in queued + queued:
        app.tasks[name].apply(args=args, kwargs=kwargs).get()
    assert VideoSnapshot.objects.count() == 1 and FollowerSnapshot.objects.count() == 1
    assert "The worker stopped during this pull." in page_of(client_for(world.people["team_social"]), world.channel)


def test_a_stuck_run_with_a_later_success_is_failed_but_not_queued_again(connected, django_capture_on_commit_callbacks):
    world, _, _ = connected
    stuck = PullRun.objects.create(channel=world.channel, kind=RunKind.VIDEOS)
    services.pull_video_stats(world.channel, now=STAGED_AT)  # a later pull of the same kind succeeded
    drain_queue()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reap_stuck_runs.apply().get()  # the beat's task, at the clock (STAGED_AT): nothing is old enough
        services.reap_stuck_runs(now=STAGED_AT + timedelta(hours=1))
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error_code, stuck.retry_at) == (PullStatus.FAILED, "worker_lost", None)
    assert drain_queue() == []


# --- 7. Mail to team social -------------------------------------------------------------------------


def _mails(kind):
    return list(OutgoingMail.objects.filter(kind=kind).order_by("pk"))


def test_team_social_is_mailed_once_when_the_channel_needs_connecting_again(connected, simulator, settings, mailoutbox):
    world, _, _ = connected
    team_social = list(people_with_role(world.ministry, Role.TEAM_SOCIAL))
    simulator.expire_access_tokens()
    simulator.refresh_tokens.clear()  # TikTok forgot the authorisation
    with pytest.raises(TikTokError):
        services.pull_video_stats(world.channel, now=STAGED_AT)
    with pytest.raises(TikTokError):
        services.pull_followers(world.channel, now=STAGED_AT)  # failing again is no news
    mails = _mails("tiktok.reconnect")
    assert sorted(mail.to for mail in mails) == sorted(person.email for person in team_social) and mails
    from audit.models import AuditEvent

    (event,) = AuditEvent.objects.filter(action="tiktok.reconnect_needed")  # on record once, by the system
    assert event.actor is None and event.origin == "job:tiktok-pull"
    outbox.sweep(now=STAGED_AT)
    [sent, *_] = [mail for mail in mailoutbox if mail.subject.startswith("@ministry_channel: connect")]
    assert f"/results/channels/{world.channel.pk}/" in sent.body

    # Connected again, and the authorisation dies once more: that is news again.
    simulator.scopes[OPEN_ID] = "user.info.basic,user.info.profile,user.info.stats,video.list"
    tokens = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret).exchange_code(
        simulator.authorization_code(OPEN_ID), "http://testserver/callback"
    )
    services.connection_save(actor=team_social[0], channel=world.channel, tokens=tokens, now=STAGED_AT)
    later = STAGED_AT + timedelta(days=2)  # the access token is due for its refresh by then
    simulator.refresh_tokens.clear()
    with pytest.raises(TikTokError):
        services.pull_video_stats(world.channel, now=later)
    assert len(_mails("tiktok.reconnect")) == 2 * len(team_social)


def test_team_social_is_warned_two_weeks_before_the_authorisation_runs_out(connected, client_for, mailoutbox, frozen):
    world, _, connection = connected
    team_social = len(people_with_role(world.ministry, Role.TEAM_SOCIAL))
    connection.refresh_expires_at = STAGED_AT + timedelta(days=15)
    connection.save()
    assert services.warn_expiring_connections(now=STAGED_AT) == 0
    assert "runs out on" not in page_of(client_for(world.people["team_social"]), world.channel)
    frozen.shift(timedelta(days=1))  # 14 days before
    assert tasks.warn_expiring_connections.apply().get() == team_social  # the daily task, at the clock
    day_before = STAGED_AT + timedelta(days=1)
    assert services.warn_expiring_connections(now=day_before + timedelta(hours=1)) == 0  # a second run: no news
    assert services.warn_expiring_connections(now=day_before + timedelta(days=1)) == 0  # nor the next day
    outbox.sweep(now=day_before)
    assert any(mail.subject.startswith("@ministry_channel: TikTok's authorisation runs out on") for mail in mailoutbox)
    assert "runs out on" in page_of(client_for(world.people["team_social"]), world.channel)
    # A new expiry date (connected again, say) is news again.
    connection.refresh_expires_at = STAGED_AT + timedelta(days=10)
    connection.save()
    assert services.warn_expiring_connections(now=day_before) == team_social

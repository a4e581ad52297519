"""Stats from TikTok, against the local simulator over real HTTP on loopback (only TikTok is faked)."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.core.management import CommandError, call_command

from stats import services
from stats.client import OAuthClient, TikTokClient, TikTokError
from stats.models import ChannelConnection, ConnectionStatus, PullRun, PullStatus, VideoSnapshot
from tests.world import SIMULATED_OPEN_ID, STAGED_AT

pytestmark = pytest.mark.django_db
OPEN_ID = SIMULATED_OPEN_ID


def test_tokens_are_encrypted_at_rest(connected):
    _, _, connection = connected
    assert connection.access_token.startswith("act.")
    stored = ChannelConnection.objects.values_list("access_token_encrypted", flat=True).get()
    assert "act." not in stored


def test_a_pull_writes_one_snapshot_per_video_and_is_on_record(connected):
    world, stages, _ = connected
    run = services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (run.status, run.videos_asked, run.snapshots_written, run.requests_made) == ("succeeded", 1, 1, 1)
    snapshot = VideoSnapshot.objects.get()
    assert snapshot.posting == stages.posting
    assert snapshot.views == 106_000  # the simulator's counts grow as they are read


def test_a_rerun_in_the_same_bucket_writes_nothing_new(connected):
    world, _, _ = connected
    moment = datetime(2026, 11, 22, 10, 5, tzinfo=UTC)
    services.pull_video_stats(world.channel, now=moment)
    services.pull_video_stats(world.channel, now=moment + timedelta(minutes=30))
    assert VideoSnapshot.objects.count() == 1
    assert VideoSnapshot.objects.get().views == 107_000  # updated, not doubled
    services.pull_video_stats(world.channel, now=moment + timedelta(hours=3))
    assert VideoSnapshot.objects.count() == 2


def add_posted_videos(world, stages, simulator, count: int, first_id: int = 7_100_000_000_000_000_000, **figures):
    """``count`` more posted videos on the channel, each a copy of the staged one, known to TikTok."""
    from content.models import Posting

    for n in range(count):
        video_id = str(first_id + n)
        simulator.add_video(OPEN_ID, video_id, **figures)
        brief = type(stages.posted).objects.get(pk=stages.posted.pk)
        brief.pk = brief.number = None  # a new brief, with the next number of its organisation
        brief.status = "posted"
        brief.save()
        video = type(stages.posting.video_version).objects.get(pk=stages.posting.video_version.pk)
        video.pk, video.brief, video.file = None, brief, ""
        video.preview_url = "https://preview.example.org/x"
        video.save()
        Posting.objects.create(
            brief=brief,
            video_version=video,
            tiktok_url=f"https://www.tiktok.com/@{world.channel.handle}/video/{video_id}",
            tiktok_video_id=video_id,
            posted_at=stages.now,
            recorded_by=world.people["agency_member"],
        )


def test_more_than_20_videos_are_asked_in_batches_of_20(connected, simulator):
    world, stages, _ = connected
    # 44 more posted videos on the channel (45 in all): three requests of at most 20 ids.
    add_posted_videos(world, stages, simulator, 44)
    run = services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (run.videos_asked, run.requests_made, run.snapshots_written) == (45, 3, 45)


def test_a_rate_limit_fails_the_run_with_the_retry_hint(connected, simulator):
    world, _, _ = connected
    simulator.fail_next(429, "rate_limit_exceeded", retry_after=7)
    with pytest.raises(TikTokError) as error:
        services.pull_video_stats(world.channel, now=STAGED_AT)
    assert (error.value.status, error.value.retry_after, error.value.retryable) == (429, 7.0, True)
    run = PullRun.objects.get()
    assert run.status == PullStatus.FAILED and "rate_limit_exceeded" in run.error
    assert not VideoSnapshot.objects.exists()
    assert services.pull_video_stats(world.channel, now=STAGED_AT).status == PullStatus.SUCCEEDED  # and then it works


def test_a_server_error_leaves_a_failed_run_and_no_partial_data(connected, simulator):
    world, _, _ = connected
    simulator.fail_next(500, "internal_error", times=3)
    for _ in range(3):
        with pytest.raises(TikTokError):
            services.pull_video_stats(world.channel, now=STAGED_AT)
    assert PullRun.objects.filter(status=PullStatus.FAILED).count() == 3
    assert not VideoSnapshot.objects.exists()


def test_an_access_token_expiring_mid_run_is_refreshed_once_and_rotated(connected, simulator):
    world, _, connection = connected
    old_refresh = connection.refresh_token
    simulator.expire_access_tokens()
    run = services.pull_video_stats(world.channel, now=STAGED_AT)
    assert run.status == PullStatus.SUCCEEDED
    connection.refresh_from_db()
    assert connection.refresh_token != old_refresh  # the rotated refresh token is stored
    assert simulator.requests.count("/v2/oauth/token/") == 2  # the code exchange and one refresh


def test_a_dead_refresh_token_asks_team_social_to_reconnect(connected, simulator):
    world, _, connection = connected
    simulator.expire_access_tokens()
    simulator.refresh_tokens.clear()  # TikTok forgot the authorisation
    with pytest.raises(TikTokError):
        services.pull_video_stats(world.channel, now=STAGED_AT)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.RECONNECT
    assert "connect it again" in connection.status_message


def test_oauth_errors_are_flat_and_understood(simulator, settings):
    client = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, "wrong-secret")
    with pytest.raises(TikTokError) as error:
        client.exchange_code("nope", "http://testserver/callback")
    assert error.value.code == "invalid_client"
    good = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret)
    with pytest.raises(TikTokError) as error:
        good.exchange_code("unknown-code", "http://testserver/callback")
    assert error.value.code == "invalid_grant"
    tokens = good.exchange_code(simulator.authorization_code(OPEN_ID), "http://testserver/callback")
    good.revoke(tokens.access_token)
    with pytest.raises(TikTokError) as error:
        TikTokClient(settings.TIKTOK_API_BASE_URL, tokens.access_token).user_info()
    assert error.value.code == "access_token_invalid"


def test_the_client_refuses_more_than_20_ids(simulator, settings):
    with pytest.raises(ValueError, match="at most 20"):
        TikTokClient(settings.TIKTOK_API_BASE_URL, "act.x").video_query([str(n) for n in range(21)])


def test_followers_are_stored_once_per_day(connected):
    world, _, _ = connected
    services.pull_followers(world.channel, now=STAGED_AT)
    services.pull_followers(world.channel, now=STAGED_AT)
    assert list(world.channel.follower_snapshots.values_list("followers", flat=True)) == [14_500]


def test_pull_stats_command_reports_progress_and_failures(connected, simulator, capsys):
    world, _, _ = connected
    call_command("pull_stats", channel=world.channel.pk)
    assert "1/1 videos" in capsys.readouterr().out
    simulator.fail_next(500, "internal_error")
    with pytest.raises(CommandError):
        call_command("pull_stats", channel=world.channel.pk)


def _authorize(client, simulator_url, channel):
    """Press "Connect TikTok", follow TikTok's consent page, and return the callback address."""
    import httpx

    response = client.post(f"/results/channels/{channel.pk}/connect/")
    assert response.status_code == 302
    authorize = httpx.get(response.url.replace("https://www.tiktok.com", simulator_url), follow_redirects=False)
    assert authorize.status_code == 302
    return authorize.headers["Location"]


def test_connecting_a_channel_through_the_browser_flow(world, simulator, settings, client_for):
    settings.TIKTOK_AUTHORIZE_URL = settings.TIKTOK_API_BASE_URL + "/v2/auth/authorize/"
    client = client_for(world.people["team_social"])
    callback = _authorize(client, settings.TIKTOK_API_BASE_URL, world.channel)
    response = client.get(callback.replace("http://testserver", ""))
    assert response.status_code == 302
    connection = ChannelConnection.objects.get(channel=world.channel)
    assert (connection.open_id, connection.status) == (OPEN_ID, ConnectionStatus.CONNECTED)
    assert connection.connected_by == world.people["team_social"]
    page = client.get(f"/results/channels/{world.channel.pk}/").content.decode()
    assert "Connected: figures arrive by themselves" in page


def test_another_tiktok_account_is_refused_and_its_token_revoked(world, simulator, settings, client_for):
    """Logged in to TikTok as another account (here: the other organisation's), the consent gives that
    account's token: it must not pour its figures into this channel."""
    from audit.models import AuditEvent

    simulator.add_account("open-nykvarn", "Nykvarns kommun", follower_count=1_250, username="nykvarn_channel")
    settings.TIKTOK_AUTHORIZE_URL = settings.TIKTOK_API_BASE_URL + "/v2/auth/authorize/"
    client = client_for(world.people["team_social"])
    chooser = _authorize_page(client, settings.TIKTOK_API_BASE_URL, world.channel)
    assert "@ministry_channel" in chooser.text and "@nykvarn_channel" in chooser.text  # TikTok asks who logs in
    callback = _choose(chooser, settings.TIKTOK_API_BASE_URL, "nykvarn_channel")
    page = client.get(callback.replace("http://testserver", ""), follow=True).content.decode()
    assert "You gave access as @nykvarn_channel, but this channel is @ministry_channel." in page
    assert not ChannelConnection.objects.exists()
    assert not any(owner == "open-nykvarn" for owner, _ in simulator.access_tokens.values())  # revoked
    refused = AuditEvent.objects.get(action="tiktok.connected", result="refused")
    assert refused.details == {"username": "nykvarn_channel"}
    # The channel's own account is accepted.
    chooser = _authorize_page(client, settings.TIKTOK_API_BASE_URL, world.channel)
    callback = _choose(chooser, settings.TIKTOK_API_BASE_URL, "ministry_channel")
    client.get(callback.replace("http://testserver", ""))
    assert ChannelConnection.objects.get().open_id == OPEN_ID


def _authorize_page(client, simulator_url, channel):
    import httpx

    response = client.post(f"/results/channels/{channel.pk}/connect/")
    return httpx.get(response.url.replace("https://www.tiktok.com", simulator_url), follow_redirects=False)


def _choose(chooser, simulator_url, username) -> str:
    import html
    import re

    import httpx

    link = re.search(rf'href="([^"]+)">@{username} ', chooser.text).group(1)
    answer = httpx.get(simulator_url + html.unescape(link), follow_redirects=False)
    return answer.headers["Location"]


def test_a_callback_with_a_foreign_state_is_refused(world, simulator, settings, client_for):
    settings.TIKTOK_AUTHORIZE_URL = settings.TIKTOK_API_BASE_URL + "/v2/auth/authorize/"
    client = client_for(world.people["team_social"])
    callback = _authorize(client, settings.TIKTOK_API_BASE_URL, world.channel)
    forged = callback.replace("state=", "state=forged")
    assert client.get(forged.replace("http://testserver", "")).status_code == 403
    assert not ChannelConnection.objects.exists()


def test_disconnecting_revokes_at_tiktok(connected, client_for, simulator):
    world, _, connection = connected
    token = connection.access_token
    client = client_for(world.people["team_social"])
    assert client.post(f"/results/channels/{world.channel.pk}/disconnect/").status_code == 302
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert token not in simulator.access_tokens


def test_only_fresh_videos_in_the_three_hourly_pull(connected):
    world, stages, _ = connected
    week_ago = stages.posting.posted_at - timedelta(days=7)
    assert services.pull_video_stats(world.channel, now=week_ago, fresh_only=True).videos_asked == 1
    a_month_later = stages.posting.posted_at + timedelta(days=30)
    assert services.pull_video_stats(world.channel, now=a_month_later, fresh_only=True).videos_asked == 0
    assert services.pull_video_stats(world.channel, now=a_month_later).videos_asked == 1
    a_year_later = stages.posting.posted_at + timedelta(days=366)
    assert services.pull_video_stats(world.channel, now=a_year_later).videos_asked == 0  # stats stop after a year


def test_value_for_money_on_the_mt_dashboard(connected):
    from decimal import Decimal

    from budget import services as budget
    from budget.selectors import figures

    world, stages, _ = connected
    services.pull_video_stats(world.channel, now=datetime(2026, 11, 24, 10, tzinfo=UTC))
    services.pull_video_stats(world.channel, now=datetime(2026, 11, 24, 13, tzinfo=UTC))  # latest: 107,000 views
    assert figures(stages.period).views == 0  # its cost is only planned: not paid for by this period yet
    budget.cost_line_advance(actor=world.people["team_social"], line=stages.cost_line, status="committed")
    f = figures(stages.period)
    assert (f.views, f.engagements) == (107_000, 2_550 + 16 + 40)
    assert f.cost_per_thousand_views == (Decimal("98.56") * 1000 / 107_000).quantize(Decimal("0.01"))
    assert f.cost_per_engagement == (Decimal("98.56") / (2_550 + 16 + 40)).quantize(Decimal("0.0001"))


def test_the_demo_simulator_knows_every_video_the_demo_data_posts():
    from home.demo.content import PILOT, PILOT_VIDEO_IDS, RECENT, RECENT_VIDEO_IDS
    from stats.simulator import demo_simulator

    known = {video.id for video in demo_simulator().accounts["demo-minvws"].videos}
    expected = {str(PILOT_VIDEO_IDS + n) for n in range(len(PILOT))} | {str(n) for n in RECENT_VIDEO_IDS}
    assert known == expected and len(RECENT_VIDEO_IDS) == len(RECENT)


# --- What TikTok shows of a video: the details the check against the approval reads (stats.postcheck) -------------

DETAIL_ID = "7900000000000000001"


def _api(simulator, settings) -> TikTokClient:
    tokens = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret).exchange_code(
        simulator.authorization_code(OPEN_ID), "http://testserver/callback"
    )
    return TikTokClient(settings.TIKTOK_API_BASE_URL, tokens.access_token)


def test_video_details_answer_only_the_fields_asked_and_leave_the_figures_alone(simulator, settings):
    caption = "Reclame | in opdracht van het Ministerie van VWS\n\nGriepprik? #vws"
    video = simulator.add_video(
        OPEN_ID, DETAIL_ID, views=5_000, create_time=1_790_000_000, description=caption, duration=31
    )
    api = _api(simulator, settings)
    assert api.video_details([DETAIL_ID, "7900000000000000999"]) == [  # an unknown id is simply absent
        {
            "id": DETAIL_ID,
            "create_time": 1_790_000_000,
            "video_description": caption,
            "duration": 31,
            "share_url": f"https://www.tiktok.com/@ministry_channel/video/{DETAIL_ID}",
        }
    ]
    assert (video.view_count, video.like_count) == (5_000, 2_500)  # a detail query is no read of the figures
    assert set(api.video_query([DETAIL_ID])[0]) == {"id", "view_count", "like_count", "comment_count", "share_count"}
    assert video.view_count == 6_000  # the figures still grow as they are read
    assert set(next(api.all_videos())) == {"id", "create_time", "title"}  # the list too answers what it's asked
    assert video.view_count == 6_000


def test_the_description_is_cut_at_150_characters_as_tiktok_documents(simulator, settings):
    simulator.add_video(OPEN_ID, DETAIL_ID, description="x" * 149 + "yz" + "z" * 48)
    (details,) = _api(simulator, settings).video_details([DETAIL_ID])
    assert details["video_description"] == "x" * 149 + "y"


def test_edit_video_changes_what_tiktok_shows_from_python_and_over_http(simulator, settings):
    simulator.add_video(OPEN_ID, DETAIL_ID, create_time=1_790_000_000, description="First", duration=30)
    api = _api(simulator, settings)
    simulator.edit_video(DETAIL_ID, description="Edited on TikTok")
    (details,) = api.video_details([DETAIL_ID])
    assert (details["video_description"], details["duration"], details["create_time"]) == (
        "Edited on TikTok",
        30,
        1_790_000_000,
    )
    edit = {"video_id": DETAIL_ID, "description": "Edited over HTTP", "duration": 44, "create_time": 1_790_086_400}
    assert httpx.post(f"{settings.TIKTOK_API_BASE_URL}/control/", json={"edit": edit}).json() == {"ok": True}
    (details,) = api.video_details([DETAIL_ID])
    assert (details["video_description"], details["duration"], details["create_time"]) == (
        "Edited over HTTP",
        44,
        1_790_086_400,
    )
    unknown = httpx.post(f"{settings.TIKTOK_API_BASE_URL}/control/", json={"edit": {"video_id": "1", "duration": 1}})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "invalid_params")
    with pytest.raises(KeyError):
        simulator.edit_video("1", duration=1)


def test_the_video_endpoints_refuse_missing_or_unknown_fields_as_tiktok_does(simulator, settings):
    simulator.add_video(OPEN_ID, DETAIL_ID)
    token = _api(simulator, settings).http.headers["Authorization"]
    for path, body in (("/v2/video/query/", {"filters": {"video_ids": [DETAIL_ID]}}), ("/v2/video/list/", {})):
        for fields in ({}, {"fields": "id,embed_sparkle"}):
            answer = httpx.post(
                settings.TIKTOK_API_BASE_URL + path, params=fields, json=body, headers={"Authorization": token}
            )
            assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_params"), (path, fields)


def test_a_video_answered_twice_repeats_its_details_and_stays_checked_by_the_client(simulator, settings):
    simulator.add_video(OPEN_ID, DETAIL_ID, description="Twice").answered_twice = True
    api = _api(simulator, settings)
    assert [video["video_description"] for video in api.video_details([DETAIL_ID])] == ["Twice", "Twice"]
    simulator.answer_next({"data": {"videos": {"id": DETAIL_ID}}, "error": {"code": "ok"}})
    with pytest.raises(TikTokError) as error:
        api.video_details([DETAIL_ID])
    assert error.value.code == "bad_response"
    with pytest.raises(ValueError, match="at most 20"):
        api.video_details([str(n) for n in range(21)])

"""Figures without the API (TikTok Studio CSV, entry by hand), the results pages and the report."""

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from audit.models import AuditEvent
from content.models import Posting, Topic
from stats import imports, selectors, services
from stats.models import FollowerSnapshot, PullRun, RunKind, Source, VideoSnapshot
from tests.stats.test_pulls import add_posted_videos
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db
FIRST_ID = 7_300_000_000_000_000_000
# The clock stands at STAGED_AT in these tests (the `connected` fixture): a Tuesday in The Hague.
TODAY = STAGED_AT.astimezone(ZoneInfo("Europe/Amsterdam")).date()


@pytest.fixture
def channel_videos(connected, simulator):
    """Four posted videos on the channel (the staged one and three more); none has figures yet."""
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 3, first_id=FIRST_ID)
    postings = list(Posting.objects.filter(brief__channel=world.channel).order_by("tiktok_video_id"))
    return world, postings


def posted_days_earlier(postings, days: int = 10) -> None:
    """The videos were posted ``days`` before STAGED_AT: figures as of an earlier day than today fit them."""
    Posting.objects.filter(pk__in=[p.pk for p in postings]).update(posted_at=STAGED_AT - timedelta(days=days))


def csv_bytes(rows, delimiter=",", encoding="utf-8-sig"):
    return "\n".join(delimiter.join(str(cell) for cell in row) for row in rows).encode(encoding)


def studio_rows(postings, views=(150_000, 120_000, 90_000, 230_000)):
    header = ["Video title", "Video link", "Post time", "Total views", "Total likes", "Total comments", "Total shares"]
    return [header] + [
        [f"Video {n}", p.tiktok_url, "2026-11-01", v, 3_000 + n, 20 + n, 40 + n]
        for n, (p, v) in enumerate(zip(postings, views, strict=False))
    ]


# --- TikTok Studio import ---------------------------------------------------------------------------


def test_a_good_studio_export_is_imported_once_and_on_record(channel_videos):
    world, postings = channel_videos
    actor = world.people["team_social"]
    raw = csv_bytes(studio_rows(postings))
    result = imports.import_studio_csv(world.channel, raw, actor=actor, captured_at=STAGED_AT)
    assert result.ok, result.errors
    assert VideoSnapshot.objects.filter(source=Source.CSV).count() == 4
    first = VideoSnapshot.objects.get(posting=postings[0])
    assert (first.views, first.likes, first.comments, first.shares) == (150_000, 3_000, 20, 40)
    run = PullRun.objects.get(kind=RunKind.CSV_IMPORT)
    assert (run.status, run.snapshots_written) == ("succeeded", 4)
    assert AuditEvent.objects.filter(action="stats.imported", actor=actor).count() == 1
    # The same file again in the same bucket: nothing doubles.
    assert imports.import_studio_csv(world.channel, raw, actor=actor, captured_at=STAGED_AT).ok
    assert VideoSnapshot.objects.count() == 4


def test_semicolons_ids_thousands_separators_and_dutch_headers_are_understood(channel_videos):
    world, postings = channel_videos
    rows = [["Video-ID", "Weergaven", "Vind-ik-leuks", "Reacties", "Gedeeld"]]
    rows += [[p.tiktok_video_id, "105.000", "2.500", "16", "1.204"] for p in postings[:2]]
    result = imports.import_studio_csv(
        world.channel, csv_bytes(rows, ";"), actor=world.people["team_social"], captured_at=STAGED_AT
    )
    assert result.ok, result.errors
    figures = set(VideoSnapshot.objects.values_list("views", "likes", "comments", "shares"))
    assert figures == {(105_000, 2_500, 16, 1_204)}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda rows: rows[1].__setitem__(1, "https://www.tiktok.com/@someone/video/7999999999999999999"), "Row 2:"),
        (lambda rows: rows[2].__setitem__(4, "-5"), "Row 3: Total likes cannot be negative."),
        (lambda rows: rows[3].__setitem__(3, "1.5K"), "Row 4: Total views “1.5K” is not a whole number."),
        (lambda rows: rows.append(list(rows[1])), "Row 6: video"),
        (lambda rows: rows[1].__setitem__(1, "not a link"), "is not a TikTok video id or link"),
        (lambda rows: rows[2].__delitem__(slice(3, None)), "Row 3: too few columns."),
    ],
)
def test_a_bad_row_imports_nothing_and_says_which(channel_videos, damage, message):
    world, postings = channel_videos
    rows = studio_rows(postings)
    damage(rows)
    result = imports.import_studio_csv(
        world.channel, csv_bytes(rows), actor=world.people["team_social"], captured_at=STAGED_AT
    )
    assert not result.ok
    assert any(message in error for error in result.errors), result.errors
    assert not VideoSnapshot.objects.exists()  # the good rows were not imported either
    assert not PullRun.objects.filter(kind=RunKind.CSV_IMPORT).exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"Video,Plays,Hearts\n1,2,3\n", "Missing or ambiguous: video (id or link), views, likes, comments, shares"),
        (b"", "The file is empty."),
        (b"\x00\x01\x02PK\x03\x04binary", "This is not a text (CSV) file."),
        (b"Video ID,Views,Likes,Comments,Shares\n", "The file has no rows with figures."),
        (b"Video ID,Views,Views,Likes,Comments,Shares\n1,1,1,1,1,1\n", "Missing or ambiguous: views"),
    ],
)
def test_files_of_the_wrong_shape_are_refused_clearly(channel_videos, raw, message):
    world, _ = channel_videos
    result = imports.import_studio_csv(world.channel, raw, actor=world.people["team_social"], captured_at=STAGED_AT)
    assert any(message in error for error in result.errors), result.errors
    assert not VideoSnapshot.objects.exists()


def test_a_video_of_another_channel_is_unknown_here(channel_videos):
    world, postings = channel_videos
    rows = studio_rows(postings)
    result = imports.parse_studio_csv(csv_bytes(rows), world.other_channel, STAGED_AT)
    assert len(result.errors) == 4 and "is not a posted video of this channel" in result.errors[0]


def test_the_import_page_lists_every_problem_and_keeps_the_date(channel_videos, client_for):
    world, postings = channel_videos
    posted_days_earlier(postings)
    rows = studio_rows(postings)
    rows[1][4], rows[2][5] = "-1", "abc"
    client = client_for(world.people["team_social"])
    day = TODAY - timedelta(days=2)
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "studio.csv"
    response = client.post(f"/results/channels/{world.channel.pk}/import/", {"file": upload, "as_of": day})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: the file has 2 problems." in page
    assert "Row 2: Total likes cannot be negative." in page and "Row 3: Total comments" in page
    assert f'value="{day.isoformat()}"' in page
    assert not VideoSnapshot.objects.exists()

    upload = io.BytesIO(csv_bytes(studio_rows(postings)))
    upload.name = "studio.csv"
    response = client.post(f"/results/channels/{world.channel.pk}/import/", {"file": upload, "as_of": day})
    assert response.status_code == 302
    snapshot = VideoSnapshot.objects.first()
    assert timezone.localtime(snapshot.captured_at, world.ministry.zone).date() == day


def test_the_import_page_is_for_team_social_not_the_mt(channel_videos, client_for):
    world, _ = channel_videos
    url = f"/results/channels/{world.channel.pk}/import/"
    assert client_for(world.people["management"]).post(url, {}).status_code == 403


# --- Entry by hand ----------------------------------------------------------------------------------


def test_figures_entered_by_hand_are_saved_audited_and_shown(channel_videos, client_for):
    world, postings = channel_videos
    client = client_for(world.people["team_social"])
    url = f"/results/videos/{postings[0].pk}/"
    today = TODAY
    figures = {"views": 110_000, "likes": 2_600, "comments": 30, "shares": 12, "as_of": today}
    assert client.post(url, figures).status_code == 302
    snapshot = VideoSnapshot.objects.get()
    assert (snapshot.source, snapshot.views, snapshot.likes) == (Source.MANUAL, 110_000, 2_600)
    assert AuditEvent.objects.about(postings[0].brief).filter(action="stats.entered").exists()
    page = client.get(url).content.decode()
    assert "Entered by hand" in page and "110,000" in page


def test_bad_figures_by_hand_keep_what_was_typed(channel_videos, client_for):
    world, postings = channel_videos
    client = client_for(world.people["team_social"])
    url = f"/results/videos/{postings[0].pk}/"
    tomorrow = TODAY + timedelta(days=2)
    response = client.post(url, {"views": -3, "likes": 2_600, "comments": 30, "shares": 12, "as_of": tomorrow})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="2600"' in page and "Figures cannot be from a day still to come." in page
    assert not VideoSnapshot.objects.exists()


def test_readers_cannot_enter_figures(channel_videos, client_for):
    world, postings = channel_videos
    response = client_for(world.people["management"]).post(
        f"/results/videos/{postings[0].pk}/", {"views": 1, "likes": 1, "comments": 1, "shares": 1}
    )
    assert response.status_code == 403
    assert not VideoSnapshot.objects.exists()


# --- Dashboards -------------------------------------------------------------------------------------


def _figures(postings, rows):
    now = STAGED_AT
    for posting, (views, likes, comments, shares) in zip(postings, rows, strict=True):
        for hours_ago, share in ((48, 0.5), (0, 1)):
            VideoSnapshot.objects.create(
                posting=posting,
                bucket=now - timedelta(hours=hours_ago),
                captured_at=now - timedelta(hours=hours_ago),
                views=int(views * share),
                likes=int(likes * share),
                comments=int(comments * share),
                shares=int(shares * share),
            )
    # Written here directly, not through stats.services: keep the latest figures as every writer does.
    selectors.rebuild_latest_figures([posting.pk for posting in postings])


def test_medians_bands_top_bottom_and_topics(channel_videos):
    world, postings = channel_videos
    other = Topic.objects.create(organisation=world.ministry, name="Vaccination", theme=postings[0].brief.topic.theme)
    postings[3].brief.topic = other
    postings[3].brief.save()
    _figures(
        postings, [(100_000, 2_000, 10, 10), (150_000, 3_000, 20, 30), (200_000, 9_000, 900, 100), (50_000, 1, 1, 1)]
    )
    results = selectors.channel_results(world.channel, today=TODAY)
    assert results.totals["views"] == 500_000
    assert results.median_views == 125_000
    assert [v.views for v in results.top] == [200_000, 150_000, 100_000, 50_000]
    assert results.in_bands == {"views": 2, "likes": 2, "comments": 1}  # 10 and 1 below, 900 above
    assert results.top[0].bands == {"views": "within", "likes": "within", "comments": "above"}
    assert [(row.name, row.videos, row.median_views) for row in results.topics] == [
        (postings[0].brief.topic.name, 3, 150_000),
        ("Vaccination", 1, 50_000),
    ]
    rate = results.top[0].engagement_rate
    assert rate == pytest.approx((9_000 + 900 + 100) / 200_000 * 100)


def test_the_results_page_and_report_run_a_fixed_number_of_queries(connected, channel_videos, client_for, simulator):
    world, postings = channel_videos
    client = client_for(world.people["team_social"])
    _figures(postings, [(100_000, 2_000, 10, 10)] * 4)
    urls = [
        f"/results/channels/{world.channel.pk}/",
        f"/results/channels/{world.channel.pk}/report/",
        f"/results/videos/{postings[0].pk}/",
    ]
    before = {}
    for url in urls:
        client.get(url)  # the navigation's inbox count is cached from the first page on
        with CaptureQueriesContext(db_connection) as queries:
            assert client.get(url).status_code == 200
        before[url] = len(queries)
    _, stages, _ = connected
    add_posted_videos(world, stages, simulator, 12, first_id=FIRST_ID + 100)
    _figures(list(Posting.objects.filter(tiktok_video_id__gte=str(FIRST_ID + 100))), [(90_000, 1, 1, 1)] * 12)
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(db_connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == before[url], url


def test_posts_per_week_include_empty_weeks(channel_videos):
    world, postings = channel_videos
    now = STAGED_AT
    Posting.objects.filter(brief__channel=world.channel).update(posted_at=now)
    Posting.objects.filter(pk=postings[0].pk).update(posted_at=now - timedelta(days=21))
    weeks = selectors.channel_results(world.channel, today=TODAY).posts_per_week
    assert [row["posts"] for row in weeks] == [1, 0, 0, 3]
    assert weeks[0]["label"] == f"week {(now - timedelta(days=21)).date().isocalendar().week}"
    with translation.override("nl"):
        assert selectors.channel_results(world.channel, today=TODAY).posts_per_week[0]["label"].startswith("week ")
    with translation.override("sv"):
        assert selectors.channel_results(world.channel, today=TODAY).posts_per_week[0]["label"].startswith("vecka ")


def test_a_period_filters_videos_and_followers(channel_videos, client_for):
    world, postings = channel_videos
    Posting.objects.filter(pk=postings[0].pk).update(posted_at=STAGED_AT - timedelta(days=40))
    today = TODAY
    FollowerSnapshot.objects.create(channel=world.channel, day=today - timedelta(days=40), followers=9_000)
    FollowerSnapshot.objects.create(channel=world.channel, day=today, followers=14_500)
    results = selectors.channel_results(world.channel, start=today - timedelta(days=10), end=today, today=today)
    assert len(results.videos) == 3 and [row.followers for row in results.followers] == [14_500]
    page = client_for(world.people["team_social"]).get(
        f"/results/channels/{world.channel.pk}/", {"start": today, "end": today - timedelta(days=1)}
    )
    assert "The period must start before it ends." in page.content.decode()


# --- The report -------------------------------------------------------------------------------------


def test_the_pdf_report_renders_and_holds_the_key_figures(channel_videos, client_for):
    world, postings = channel_videos
    _figures(
        postings,
        [(105_000, 2_500, 16, 40), (225_000, 9_500, 850, 120), (150_000, 4_000, 80, 60), (120_000, 3_000, 20, 10)],
    )
    week_ago = TODAY - timedelta(days=7)
    FollowerSnapshot.objects.create(channel=world.channel, day=week_ago, followers=14_100)
    FollowerSnapshot.objects.create(channel=world.channel, day=TODAY, followers=14_500)
    response = client_for(world.people["management"]).get(f"/results/channels/{world.channel.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert f"Results to date: @{world.channel.handle}" in text
    assert "600,000" in text  # total views
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(action="export.downloaded")
    assert (event.actor, event.details["export"]) == (world.people["management"], "results.pdf")
    assert "14,500 (+400)" in text  # followers and growth
    assert "Which topics reach the audience" in text and "Most viewed videos" in text
    assert postings[1].brief.title in text  # the top video


def test_the_html_report_has_each_chart_with_a_data_table(channel_videos, client_for):
    world, postings = channel_videos
    _figures(postings, [(105_000, 2_500, 16, 40)] * 4)
    FollowerSnapshot.objects.create(channel=world.channel, day=TODAY, followers=14_500)
    page = client_for(world.people["management"]).get(f"/results/channels/{world.channel.pk}/report/").content.decode()
    assert page.count("<svg") == 3  # topics, followers, posts per week
    assert page.count('role="img"') == 3
    assert "Followers per day" in page and "Posts per week" in page and "Per topic" in page


def test_a_long_follower_history_is_shown_per_week(channel_videos):
    world, _ = channel_videos
    today = TODAY
    FollowerSnapshot.objects.bulk_create(
        FollowerSnapshot(channel=world.channel, day=today - timedelta(days=n), followers=14_500 - n) for n in range(120)
    )
    results = selectors.channel_results(world.channel, today=TODAY)
    points = results.follower_points
    assert 17 <= len(points) <= 19
    assert points[-1].day == today and points[-1].followers == 14_500  # the latest count is always there
    assert len({p.day.isocalendar()[:2] for p in points}) == len(points)


def test_more_than_a_year_of_followers_is_shown_per_month(channel_videos, client_for):
    world, _ = channel_videos
    FollowerSnapshot.objects.bulk_create(
        FollowerSnapshot(channel=world.channel, day=TODAY - timedelta(days=n), followers=20_000 - n) for n in range(800)
    )
    results = selectors.channel_results(world.channel, today=TODAY)
    points = results.follower_points
    assert results.follower_step == "month" and 26 <= len(points) <= 28
    assert points[-1] == (TODAY, 20_000)  # the latest count is always there
    assert len({(p.day.year, p.day.month) for p in points}) == len(points)
    assert results.follower_growth == 799  # from the first count to the latest, whatever the points shown
    page = client_for(world.people["team_social"]).get(
        f"/results/channels/{world.channel.pk}/", {"start": "", "end": ""}
    )
    assert "Followers at the end of each month" in page.content.decode()


def test_the_video_list_reads_one_page_of_videos_and_counts_them_all(channel_videos):
    world, postings = channel_videos
    _figures(postings[:3], [(100_000, 1, 1, 1)] * 3)
    results = selectors.channel_results(world.channel, today=TODAY)
    assert len(results.videos) == 4 and results.measured == 3  # one video has no figures yet
    with CaptureQueriesContext(db_connection) as queries:
        page = results.videos[1:3]
    assert len(queries) == 1 and len(page) == 2
    newest_first = sorted(postings, key=lambda p: (p.posted_at, p.pk), reverse=True)
    assert [v.posting.pk for v in results.videos[0:4]] == [p.pk for p in newest_first]
    assert [v.posting.pk for v in results.videos] == [p.pk for p in newest_first]


def test_a_videos_measurements_are_listed_newest_first_a_page_at_a_time(channel_videos, client_for):
    world, postings = channel_videos
    posting = postings[0]
    VideoSnapshot.objects.bulk_create(
        VideoSnapshot(
            posting=posting,
            bucket=STAGED_AT - timedelta(days=n),
            captured_at=STAGED_AT - timedelta(days=n),
            views=1_000 * (120 - n),
            likes=1,
            comments=1,
            shares=1,
        )
        for n in range(120)
    )
    client = client_for(world.people["team_social"])
    first = client.get(f"/results/videos/{posting.pk}/")
    rows = first.context["history_page"].object_list
    assert len(rows) == 50 and rows[0].views == 120_000 and rows[-1].views == 71_000
    last = client.get(f"/results/videos/{posting.pk}/", {"page": 3})
    assert [s.views for s in last.context["history_page"].object_list][-1] == 1_000
    assert "#history-heading" in first.content.decode()  # the page links jump back to the table


def test_over_more_than_half_a_year_posts_are_counted_per_month(channel_videos, client_for):
    world, postings = channel_videos
    zone = world.ministry.zone
    first = timezone.make_aware(timezone.datetime(2026, 1, 15, 12), zone)
    Posting.objects.filter(brief__channel=world.channel).update(posted_at=first + timedelta(days=300))
    Posting.objects.filter(pk=postings[0].pk).update(posted_at=first)
    rows = selectors.channel_results(world.channel, today=TODAY).posts_per_week
    assert [row["label"] for row in rows][:2] == ["Jan 2026", "Feb 2026"] and len(rows) == 11
    with translation.override("nl"):
        dutch = selectors.channel_results(world.channel, today=TODAY).posts_per_week
    assert [row["label"] for row in dutch][:2] == ["jan 2026", "feb 2026"]  # as Dutch writes it, not "Jan"
    assert rows[0]["posts"] == 1 and rows[-1]["posts"] == 3 and sum(row["posts"] for row in rows) == 4
    assert rows[0]["per_week"] == pytest.approx(1 / (31 / 7))
    since_the_first_post = {"start": "", "end": ""}
    page = client_for(world.people["team_social"]).get(
        f"/results/channels/{world.channel.pk}/report/", since_the_first_post
    )
    assert "Videos posted per month" in page.content.decode()
    assert '<h2 class="utrecht-heading-2" id="weeks-heading">Posts per month</h2>' in page.content.decode()


def test_the_same_days_figures_imported_again_hours_later_replace_themselves(channel_videos):
    world, postings = channel_videos
    posted_days_earlier(postings)
    raw = csv_bytes(studio_rows(postings))
    morning = timezone.make_aware(timezone.datetime(2026, 11, 20, 8), world.ministry.zone)
    for moment in (morning, morning + timedelta(hours=7)):
        result = imports.parse_studio_csv(raw, world.channel, moment)
        services.upsert_snapshots(result.snapshots)
    assert VideoSnapshot.objects.count() == 4


def test_excel_and_studio_encodings_and_separators(channel_videos):
    world, postings = channel_videos
    now = STAGED_AT
    # An older Excel: Windows-1252, a "sep=;" line, Swedish headers, a blank line in between.
    rows = [["Länk", "Visningar", "Gilla-markeringar", "Kommentarer", "Delningar"]]
    rows += [[postings[0].tiktok_url, "105 000", "2 500", "16", "40"], []]
    rows += [[postings[1].tiktok_url, "1", "2", "3", "-4"]]
    raw = b"sep=;\r\n" + csv_bytes(rows, ";", encoding="cp1252")
    result = imports.parse_studio_csv(raw, world.channel, now)
    assert result.errors == ["Row 4: Delningar cannot be negative."]  # the file's own line number
    # TikTok Studio's UTF-16 with tabs and a quoted title holding a comma.
    rows = [["Video title", "Video ID", "Total views", "Total likes", "Total comments", "Total shares"]]
    rows += [[f'"Hello, {n}"', p.tiktok_video_id, "1,000", "2", "3", "4"] for n, p in enumerate(postings)]
    result = imports.parse_studio_csv(csv_bytes(rows, "\t", encoding="utf-16"), world.channel, now)
    assert result.ok, result.errors
    assert {s.views for s in result.snapshots} == {1_000}


def test_a_video_page_without_views_shows_no_bare_percent(channel_videos, client_for):
    world, postings = channel_videos
    _figures([postings[0]], [(0, 0, 0, 0)])
    page = client_for(world.people["team_social"]).get(f"/results/videos/{postings[0].pk}/").content.decode()
    assert ">%<" not in page and "None" not in page


def test_top_and_bottom_never_share_a_video(connected, channel_videos, simulator):
    world, _ = channel_videos
    _, stages, _ = connected
    add_posted_videos(world, stages, simulator, 3, first_id=FIRST_ID + 200)
    everything = list(Posting.objects.filter(brief__channel=world.channel))
    _figures(everything, [(100_000 + n * 1_000, 1, 1, 1) for n in range(len(everything))])
    results = selectors.channel_results(world.channel, today=TODAY)
    assert len(everything) == 7 and len(results.top) == 5 and len(results.bottom) == 2
    assert not {v.posting.pk for v in results.top} & {v.posting.pk for v in results.bottom}


def test_an_empty_channel_has_a_report_too(world, client_for):
    from accounts.models import Channel

    empty = Channel.objects.create(organisation=world.ministry, handle="new_channel", display_name="New")
    client = client_for(world.people["team_social"])
    for url in (f"/results/channels/{empty.pk}/", f"/results/channels/{empty.pk}/report/"):
        page = client.get(url)
        assert page.status_code == 200 and "<svg" not in page.content.decode()
    pdf = client.get(f"/results/channels/{empty.pk}/report.pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Results to date: @new_channel" in text


def test_a_days_import_never_replaces_the_apis_evening_figures(channel_videos, client_for):
    """Amsterdam's midnight is 23:00 UTC: the day's snapshot must not land on the API's 21:00 UTC bucket."""
    world, postings = channel_videos
    posted_days_earlier(postings)
    zone = world.ministry.zone
    evening = timezone.make_aware(timezone.datetime(2026, 11, 20, 22, 30), zone)
    services.pull_video_stats(world.channel, now=evening)
    api_rows = VideoSnapshot.objects.filter(source=Source.API).count()
    assert api_rows == 4
    next_morning = evening + timedelta(hours=10)
    assert imports.import_studio_csv(
        world.channel, csv_bytes(studio_rows(postings)), actor=world.people["team_social"], captured_at=next_morning
    ).ok
    assert VideoSnapshot.objects.filter(source=Source.API).count() == api_rows
    assert VideoSnapshot.objects.filter(source=Source.CSV).count() == 4
    day = VideoSnapshot.objects.filter(source=Source.CSV).first().bucket.astimezone(zone)
    assert (day.date(), day.hour, day.minute) == (next_morning.date(), 0, 0)


def test_row_numbers_count_spreadsheet_rows_and_a_tab_sep_line_is_understood(channel_videos):
    world, postings = channel_videos
    header = "Video title\tVideo ID\tViews\tLikes\tComments\tShares"
    caption = '"A caption\nover three\nlines"'
    lines = [header, f"{caption}\t{postings[0].tiktok_video_id}\t1\t1\t1\t1"]
    lines.append(f"x\t{postings[1].tiktok_video_id}\t-1\t1\t1\t1")
    raw = ("sep=\t\n" + "\n".join(lines)).encode()
    result = imports.parse_studio_csv(raw, world.channel, STAGED_AT)
    assert result.errors == ["Row 3: Views cannot be negative."]


def test_the_missing_columns_are_named_in_the_readers_language(channel_videos):
    from django.utils import translation

    world, _ = channel_videos
    with translation.override("nl"):
        result = imports.parse_studio_csv(b"Video,Plays\n1,2\n", world.channel, STAGED_AT)
    assert "weergaven" in result.errors[0] and "views" not in result.errors[0]


# --- The period the results open on -----------------------------------------------------------------


def test_the_results_open_on_the_running_budget_period_up_to_today(channel_videos, client_for):
    world, postings = channel_videos  # the staged budget period "TikTok H2" runs from 1 July to 31 December
    Posting.objects.filter(pk=postings[0].pk).update(posted_at=datetime(2026, 6, 15, 12, tzinfo=UTC))
    client = client_for(world.people["management"])
    response = client.get(f"/results/channels/{world.channel.pk}/")
    assert (response.context["start"], response.context["end"]) == (date(2026, 7, 1), TODAY)
    assert len(response.context["results"].videos) == 3
    page = response.content.decode()
    assert 'value="2026-07-01"' in page and f'value="{TODAY.isoformat()}"' in page
    assert "Budget period TikTok H2" in page and "Since the first post" in page
    everything = client.get(f"/results/channels/{world.channel.pk}/", {"start": "", "end": ""})
    assert len(everything.context["results"].videos) == 4
    report = client.get(f"/results/channels/{world.channel.pk}/report/").content.decode()
    assert "Period: 1 July 2026 to 24 November 2026." in report


def test_without_a_budget_period_the_results_open_on_the_last_six_months(world):
    assert selectors.default_period(world.channel, today=date(2027, 3, 31)) == selectors.Period(
        date(2026, 10, 1), date(2027, 3, 31)
    )


def test_the_channels_own_budget_period_comes_before_the_organisations(world):
    from budget import services as budget

    def period(name, channel):
        return budget.period_create(
            actor=world.people["team_social"],
            organisation=world.ministry,
            fields={
                "channel": channel,
                "name": name,
                "starts_on": date(2027, 1, 1),
                "ends_on": date(2027, 12, 31),
                "amount_excl_vat": 1000,
                "planned_posts": 10,
            },
        )

    whole = period("All channels 2027", None)
    assert selectors.default_period(world.channel, today=date(2027, 5, 1)).source == whole
    own = period("TikTok 2027", world.channel)
    assert selectors.default_period(world.channel, today=date(2027, 5, 1)) == selectors.Period(
        date(2027, 1, 1), date(2027, 5, 1), own
    )
    assert selectors.default_period(world.channel, today=date(2028, 1, 1)).source is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 8, 31), 6, date(2026, 2, 28)),
        (date(2028, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 31), 12, date(2025, 12, 31)),
    ],
)
def test_months_before_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert selectors.months_before(day, months) == expected

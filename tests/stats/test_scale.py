"""The results pages at scale: a fixed number of queries however many videos, snapshots and budget periods
there are; LatestFigures equal to the latest snapshot after every kind of write; medians by the database."""

import importlib
import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from budget import services as budget
from budget.models import BudgetPeriod
from content.models import Posting
from stats import imports, selectors, services
from stats.models import LatestFigures, Source, VideoSnapshot
from tests.stats.test_pulls import add_posted_videos
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db
FIRST_ID = 7_400_000_000_000_000_000


def _postings(first_id: int, count: int) -> list[Posting]:
    ids = [str(first_id + n) for n in range(count)]
    return list(Posting.objects.filter(tiktok_video_id__in=ids).select_related("brief").order_by("tiktok_video_id"))


def grow(world, stages, simulator, videos: int, *, first_id: int, snapshots: int = 4, periods: int = 0) -> None:
    """``videos`` more posted videos, each with ``snapshots`` snapshots written as the pulls write them and a
    committed cost in the staged budget period; and ``periods`` more (earlier) budget periods with a cost."""
    add_posted_videos(world, stages, simulator, videos, first_id=first_id)
    postings = _postings(first_id, videos)
    services.upsert_snapshots(
        [
            VideoSnapshot(
                posting=posting,
                bucket=STAGED_AT - timedelta(hours=3 * k),
                captured_at=STAGED_AT - timedelta(hours=3 * k),
                views=100_000 + 1_000 * n - 1_000 * k,
                likes=2_000 + n,
                comments=30,
                shares=20,
                source=Source.API,
            )
            for n, posting in enumerate(postings)
            for k in range(snapshots)
        ]
    )
    for posting in postings:
        _cost(world, stages.period, "10.00", brief=posting.brief)
    earlier = len(_extra_periods(world))
    for n in range(earlier, earlier + periods):
        # Half-years back from the staged period (H2 2026): H1 2026, H2 2025, ...
        year, first_half = 2026 - (n + 1) // 2, n % 2 == 0
        budget.period_create(
            actor=world.people["team_social"],
            organisation=world.ministry,
            fields={
                "channel": world.channel,
                "name": f"Earlier {n}",
                "starts_on": date(year, 1, 1) if first_half else date(year, 7, 1),
                "ends_on": date(year, 6, 30) if first_half else date(year, 12, 31),
                "amount_excl_vat": Decimal("1000.00"),
                "vat_rate": Decimal("21.00"),
                "planned_posts": 10,
            },
        )
    for period in _extra_periods(world)[earlier:]:
        _cost(world, period, "25.00")


def _extra_periods(world):
    return list(BudgetPeriod.objects.filter(organisation=world.ministry, name__startswith="Earlier").order_by("pk"))


def _cost(world, period, amount, brief=None, status="committed"):
    return budget.cost_line_create(
        actor=world.people["team_social"],
        period=period,
        fields={
            "brief": brief,
            "agency": world.agency,
            "kind": "agency_fee",
            "supplier": world.agency.name,
            "amount_excl_vat": Decimal(amount),
        },
        status=status,
    )


def count_queries(client, url, **query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
        assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("persona", ["adviser", "management"])
def test_the_results_pages_run_the_same_queries_at_1x_and_4x_data(connected, simulator, client_for, persona):
    world, stages, _ = connected
    grow(world, stages, simulator, 3, first_id=FIRST_ID, periods=1)
    client = client_for(world.people[persona])
    video = _postings(FIRST_ID, 1)[0]
    everything = {"start": "", "end": ""}  # since the first post: every budget period too
    pages = [
        (f"/results/channels/{world.channel.pk}/", everything),
        (f"/results/channels/{world.channel.pk}/", {}),
        (f"/results/channels/{world.channel.pk}/report/", everything),
        (f"/results/videos/{video.pk}/", {}),
    ]
    at_1x = [count_queries(client, url, **query) for url, query in pages]
    grow(world, stages, simulator, 9, first_id=FIRST_ID + 100, snapshots=16, periods=3)
    at_4x = [count_queries(client, url, **query) for url, query in pages]
    assert at_4x == at_1x
    assert Posting.objects.filter(brief__channel=world.channel).count() == 13
    if persona == "management":
        body = client.get(f"/results/channels/{world.channel.pk}/", everything).content.decode()
        assert body.count("Earlier ") == 4  # every budget period of the years shown, in the budget panel


def test_the_video_table_and_the_run_log_are_paginated_and_keep_the_period(connected, simulator, client_for):
    world, stages, _ = connected
    grow(world, stages, simulator, 55, first_id=FIRST_ID, snapshots=1)
    for hours in range(20):
        services.pull_video_stats(world.channel, now=STAGED_AT + timedelta(hours=hours))
    client = client_for(world.people["team_social"])
    url = f"/results/channels/{world.channel.pk}/"
    first = client.get(url, {"start": "", "end": ""})
    assert len(first.context["videos"].object_list) == 50
    assert len(first.context["runs"].object_list) == 15
    body = first.content.decode()
    assert "start=&amp;end=&amp;page=2" in body and "start=&amp;end=&amp;runs=2" in body
    second = client.get(url, {"start": "", "end": "", "page": 2, "runs": 2})
    assert len(second.context["videos"].object_list) == 6  # 56 videos: the staged one and 55 more
    assert len(second.context["runs"].object_list) == 5
    assert second.context["results"].totals["views"] == first.context["results"].totals["views"]


# --- LatestFigures ------------------------------------------------------------------------------------


def assert_latest_equals_snapshots() -> None:
    """Each posting's LatestFigures row equals its latest snapshot (by captured_at, then bucket, then id),
    computed here in Python from all snapshots; postings without snapshots have no row."""
    expected = {}
    for s in VideoSnapshot.objects.all():
        key = (s.captured_at, s.bucket, s.pk)
        if s.posting_id not in expected or key > expected[s.posting_id][0]:
            expected[s.posting_id] = (key, (s.views, s.likes, s.comments, s.shares, s.captured_at, s.source))
    stored = {
        row.posting_id: (row.views, row.likes, row.comments, row.shares, row.measured_at, row.source)
        for row in LatestFigures.objects.all()
    }
    assert stored == {posting: figures for posting, (_, figures) in expected.items()}
    assert stored  # never vacuously


def test_latest_figures_follow_pulls_imports_and_entries(connected, simulator):
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 2, first_id=FIRST_ID, views=120_000, likes=3_000)
    services.pull_video_stats(world.channel, now=STAGED_AT)
    assert_latest_equals_snapshots()
    first = LatestFigures.objects.get(posting=stages.posting).views
    # Three hours later TikTok counts more views (the simulator adds some at each read).
    services.pull_video_stats(world.channel, now=STAGED_AT + timedelta(hours=3))
    assert_latest_equals_snapshots()
    assert LatestFigures.objects.get(posting=stages.posting).views > first
    assert VideoSnapshot.objects.filter(posting=stages.posting).count() == 2

    # TikTok Studio's export read a day later: the newest figures.
    postings = list(Posting.objects.filter(brief__channel=world.channel).order_by("tiktok_video_id"))
    header = ["Video link", "Total views", "Total likes", "Total comments", "Total shares"]
    rows = [header] + [[p.tiktok_url, 200_000 + n, 4_000, 50, 60] for n, p in enumerate(postings)]
    raw = "\n".join(",".join(str(cell) for cell in row) for row in rows).encode()
    later = STAGED_AT + timedelta(days=1)
    result = imports.import_studio_csv(world.channel, raw, actor=world.people["team_social"], captured_at=later)
    assert result.ok, result.errors
    assert_latest_equals_snapshots()
    assert LatestFigures.objects.get(posting=postings[0]).source == Source.CSV

    # Typed in by hand, later still.
    imports.record_figures(
        postings[1],
        actor=world.people["team_social"],
        captured_at=STAGED_AT + timedelta(days=2),
        views=250_000,
        likes=5_000,
        comments=70,
        shares=80,
    )
    assert_latest_equals_snapshots()
    assert LatestFigures.objects.get(posting=postings[1]).views == 250_000

    # Typed in for an earlier moment: on record, but not the latest figures.
    imports.record_figures(
        postings[2],
        actor=world.people["team_social"],
        captured_at=STAGED_AT - timedelta(hours=1),
        views=1,
        likes=1,
        comments=1,
        shares=1,
    )
    assert_latest_equals_snapshots()
    assert LatestFigures.objects.get(posting=postings[2]).views == 200_002


def test_rebuilding_recomputes_from_the_snapshots_and_forgets_videos_without_any(connected, simulator):
    world, stages, _ = connected
    grow(world, stages, simulator, 3, first_id=FIRST_ID)
    postings = _postings(FIRST_ID, 3)
    LatestFigures.objects.filter(posting=postings[0]).update(views=1)  # out of step
    VideoSnapshot.objects.filter(posting=postings[1]).delete()
    selectors.rebuild_latest_figures(p.pk for p in postings)
    assert_latest_equals_snapshots()
    assert not LatestFigures.objects.filter(posting=postings[1]).exists()
    assert LatestFigures.objects.get(posting=postings[0]).views == 100_000  # its latest snapshot (k=0)


def test_the_migration_fills_latest_figures_from_existing_snapshots(connected, simulator):
    world, stages, _ = connected
    grow(world, stages, simulator, 4, first_id=FIRST_ID)
    LatestFigures.objects.all().delete()
    migration = importlib.import_module("stats.migrations.0007_latest_figures")

    class Editor:  # the part of a schema editor the data migration uses
        def __init__(self):
            self.connection = connection

        def quote_name(self, name):
            return connection.ops.quote_name(name)

    migration.fill_latest_figures(apps, Editor())
    assert LatestFigures.objects.count() == 4
    assert_latest_equals_snapshots()


# --- Medians by the database ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 6])
def test_medians_by_the_database_equal_statistics_median(connected, simulator, count):
    world, stages, _ = connected
    grow(world, stages, simulator, count, first_id=FIRST_ID, snapshots=2)
    # One video without views: no engagement rate (left out of that median, as in Python).
    LatestFigures.objects.filter(posting=_postings(FIRST_ID, 1)[0]).update(views=0)
    rows = list(LatestFigures.objects.filter(posting__brief__channel=world.channel))
    videos = [selectors.VideoFigures(None, r.views, r.likes, r.comments, r.shares, None) for r in rows]

    medians = selectors.channel_medians(world.channel)

    assert medians["views"] == statistics.median(v.views for v in videos)
    rates = [v.engagement_rate for v in videos if v.engagement_rate is not None]
    assert len(rates) == count - 1
    assert medians["engagement"] == pytest.approx(statistics.median(rates), rel=1e-12)


def test_a_percentile_interpolates_as_percentile_cont(connected, simulator):
    world, stages, _ = connected
    grow(world, stages, simulator, 4, first_id=FIRST_ID, snapshots=1)
    # Latest views: 100,000, 101,000, 102,000, 103,000. The 0.9 percentile: position 0.9 * 3 = 2.7, so
    # 102,000 + 0.7 * 1,000 = 102,700 (by hand).
    rows = LatestFigures.objects.filter(posting__in=_postings(FIRST_ID, 4))
    assert selectors.percentiles(rows, 0.9, views=F("views"))["views"] == pytest.approx(102_700)
    assert selectors.percentiles(rows, 0.5, views=F("views"))["views"] == 101_500
    assert selectors.percentiles(rows.none(), 0.5, views=F("views")) == {"views": None}


def test_the_period_showing_stays_marked_on_another_page_of_the_table(connected, client_for):
    world, _, _ = connected
    client = client_for(world.people["adviser"])
    body = client.get(f"/results/channels/{world.channel.pk}/", {"start": "", "end": "", "page": 2}).content
    assert 'href="?start=&amp;end=" aria-current="page"' in body.decode()
    # and the report links carry the period, not the page
    assert f'/results/channels/{world.channel.pk}/report/?start=&amp;end="' in body.decode()

"""The budget dashboard and exports at scale, and the value for money counted from LatestFigures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from budget import selectors
from budget import services as budget
from content.models import Posting
from stats import services as stats
from stats.models import Source, VideoSnapshot
from tests.stats.test_pulls import add_posted_videos
from tests.stats.test_scale import _cost, _postings, count_queries, grow
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db
FIRST_ID = 7_500_000_000_000_000_000


def test_the_dashboard_and_exports_run_the_same_queries_at_1x_and_4x_data(connected, simulator, client_for):
    world, stages, _ = connected
    grow(world, stages, simulator, 3, first_id=FIRST_ID, periods=1)
    client = client_for(world.people["management"])
    pages = [
        (reverse("budget_dashboard"), {"period": stages.period.pk}),
        (reverse("budget_export_csv", args=[stages.period.pk]), {}),
        (reverse("budget_export_xlsx", args=[stages.period.pk]), {}),
    ]
    at_1x = [count_queries(client, url, **query) for url, query in pages]
    grow(world, stages, simulator, 9, first_id=FIRST_ID + 100, snapshots=16, periods=3)
    at_4x = [count_queries(client, url, **query) for url, query in pages]
    assert at_4x == at_1x
    assert selectors.figures(stages.period).delivered_posts == 12  # the 3 + 9 videos' costs are committed


def _snapshots(posting, *figures_from_old_to_new):
    stats.upsert_snapshots(
        [
            VideoSnapshot(
                posting=posting,
                bucket=STAGED_AT - timedelta(hours=3 * age),
                captured_at=STAGED_AT - timedelta(hours=3 * age),
                views=views,
                likes=likes,
                comments=comments,
                shares=shares,
                source=Source.API,
            )
            for age, (views, likes, comments, shares) in enumerate(reversed(figures_from_old_to_new))
        ]
    )


def test_value_for_money_counts_each_paid_for_video_once_at_its_latest_figures(connected, simulator):
    world, stages, _ = connected
    add_posted_videos(world, stages, simulator, 3, first_id=FIRST_ID)
    b, c, d = _postings(FIRST_ID, 3)
    # The staged video: its cost (98.56) committed; an older and a newer snapshot, the newer counts.
    budget.cost_line_advance(actor=world.people["team_social"], line=stages.cost_line, status="committed")
    _snapshots(stages.posting, (50_000, 500, 50, 25), (100_000, 1_000, 100, 50))
    # B: two committed costs in the period (60.00 and 40.00), counted once.
    _cost(world, stages.period, "60.00", brief=b.brief)
    _cost(world, stages.period, "40.00", brief=b.brief)
    _snapshots(b, (300_000, 2_000, 200, 100))
    # C: 51.44 committed.
    _cost(world, stages.period, "51.44", brief=c.brief)
    _snapshots(c, (10_000, 10, 1, 1), (100_000, 1_400, 100, 50))
    # D: only planned, not paid for by this period: neither its cost nor its views count.
    _cost(world, stages.period, "500.00", brief=d.brief, status="planned")
    _snapshots(d, (1_000_000, 90_000, 9_000, 900))

    f = selectors.figures(stages.period)

    # By hand: spent 98.56 + 60 + 40 + 51.44 = 250.00 on 3 posted videos; views 100,000 + 300,000 + 100,000 =
    # 500,000; engagements 1,150 + 2,300 + 1,550 = 5,000.
    assert f.delivered_posts == 3
    assert (f.views, f.engagements) == (500_000, 5_000)
    assert f.cost_per_thousand_views == Decimal("0.50")  # 250.00 * 1,000 / 500,000
    assert f.cost_per_engagement == Decimal("0.0500")  # 250.00 / 5,000
    assert f.cost_per_post == Decimal("83.33")  # 250.00 / 3, rounded half up


def test_figures_of_many_periods_at_once_equal_each_periods_own(connected, simulator):
    world, stages, _ = connected
    grow(world, stages, simulator, 4, first_id=FIRST_ID, periods=3)
    periods = [stages.period, *world.ministry.budget_periods.exclude(pk=stages.period.pk).order_by("starts_on")]
    together = selectors.period_figures(periods)
    for period, summary in zip(periods, together, strict=True):
        alone = selectors.figures(period)
        fields = ("amount", "planned", "committed", "invoiced", "paid", "remaining", "delivered_posts")
        fields += ("cost_per_post", "forecast", "views", "engagements", "cost_per_thousand_views")
        for name in (*fields, "cost_per_engagement"):
            assert getattr(summary, name) == getattr(alone, name), (period.name, name)
    assert together[0].views == 4 * 100_000 + 1_000 * (0 + 1 + 2 + 3)
    assert Posting.objects.filter(brief__channel=world.channel).count() == 5

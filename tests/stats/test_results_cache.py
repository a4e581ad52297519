"""The results are computed once per version of their data: a second look reads them from the cache, and any
change of what they are computed from (a pull's figures, an audited change, the followers) shows at once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from budget import services as budget
from stats.models import FollowerSnapshot, MissingVideo, VideoSnapshot
from stats.selectors import rebuild_latest_figures
from tests.stats.test_results import TODAY, _figures, channel_videos  # noqa: F401 (a fixture)
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db


def _page(client, world, **query):
    with CaptureQueriesContext(db_connection) as queries:
        response = client.get(f"/results/channels/{world.channel.pk}/", query)
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_look_reads_the_results_from_the_cache(channel_videos, client_for):  # noqa: F811
    world, postings = channel_videos
    _figures(postings, [(100_000, 2_000, 10, 10)] * 4)
    client = client_for(world.people["team_social"])
    first, computed = _page(client, world)
    second, cached = _page(client, world)
    assert cached < computed - 5  # the sums, medians, groups, top and posts per day are not queried again
    assert first.context["results"].totals == second.context["results"].totals
    assert second.context["results"].totals["views"] == 400_000
    # The video table still reads its page from the database.
    assert [v.posting.pk for v in second.context["videos"]] == [v.posting.pk for v in first.context["videos"]]


def test_figures_written_by_a_pull_show_at_once(channel_videos, client_for):  # noqa: F811
    world, postings = channel_videos
    _figures(postings, [(100_000, 2_000, 10, 10)] * 4)
    client = client_for(world.people["team_social"])
    assert _page(client, world)[0].context["results"].totals["views"] == 400_000
    # A pull writes a snapshot and the latest figures, and no audit event.
    VideoSnapshot.objects.create(
        posting=postings[0], bucket=STAGED_AT + timedelta(hours=3), captured_at=STAGED_AT + timedelta(hours=3),
        views=300_000, likes=2_000, comments=10, shares=10,
    )  # fmt: skip
    rebuild_latest_figures([postings[0].pk])
    page = _page(client, world)[0]
    assert page.context["results"].totals["views"] == 600_000
    assert "600,000" in page.content.decode()  # the rendered figures too, not only the context
    FollowerSnapshot.objects.create(channel=world.channel, day=TODAY, followers=14_500)
    assert _page(client, world)[0].context["results"].latest_followers.followers == 14_500
    MissingVideo.objects.create(posting=postings[0], since=postings[0].posted_at + timedelta(days=1))
    assert _page(client, world)[0].context["results"].stale == 1


def test_the_cache_keeps_languages_roles_and_periods_apart(channel_videos, client_for):  # noqa: F811
    world, postings = channel_videos
    _figures(postings, [(100_000, 2_000, 10, 10)] * 4)
    budget.period_create(
        actor=world.people["team_social"],
        organisation=world.ministry,
        fields={
            "name": "TikTok 2026",
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
            "amount_excl_vat": Decimal("5125.00"),
            "planned_posts": 52,
        },
    )
    # client_for logs the one test client in as each person in turn.
    english = _page(client_for(world.people["adviser"]), world)[0].content.decode()
    assert "Budget use" not in english  # not the adviser's to see
    assert "Budget use" in _page(client_for(world.people["management"]), world)[0].content.decode()
    adviser = client_for(world.people["adviser"])
    assert "Budget use" not in _page(adviser, world)[0].content.decode()  # the same figures, not the MT's panel
    world.people["adviser"].language = "nl"
    world.people["adviser"].save()
    dutch = _page(adviser, world)[0].content.decode()
    assert "Other than corona" in english and "Anders dan corona" not in english  # the theme's label
    assert "Anders dan corona" in dutch and "Other than corona" not in dutch
    before = _page(adviser, world, start=str(TODAY - timedelta(days=30)), end=str(TODAY - timedelta(days=1)))
    assert len(before[0].context["results"].videos) == 0  # another period, its own figures: none posted then


def test_log_ins_and_downloads_leave_the_cached_results_valid(channel_videos, client_for):  # noqa: F811
    world, postings = channel_videos
    _figures(postings, [(100_000, 2_000, 10, 10)] * 4)
    client = client_for(world.people["team_social"])
    _, computed = _page(client, world)
    _, cached = _page(client, world)
    # Both audited, neither a change of the figures.
    assert client.get(f"/results/channels/{world.channel.pk}/report.pdf").status_code == 200
    client = client_for(world.people["team_social"])  # a new log-in
    assert _page(client, world)[1] == cached < computed

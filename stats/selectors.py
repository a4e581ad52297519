"""The figures behind the results pages and the report.

Every function runs a fixed number of queries however many videos and snapshots there are. The latest
figures per video are kept in ``LatestFigures`` (one row per video, rebuilt by every write of snapshots), so
no page searches the snapshots for the latest. Medians over a whole channel are computed by the database
(PostgreSQL's percentile_cont); the period's figures for the results page are computed from its one list of
videos in Python.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import NotSupportedError, connections, transaction
from django.db.models import Aggregate, Case, Exists, F, FloatField, OuterRef, Subquery, When
from django.db.models.functions import Cast
from django.utils import timezone

from content.models import Posting, Topic
from core import hooks

from .models import FollowerSnapshot, LatestFigures, VideoSnapshot

# The pilot's ranges per video (DOMAIN.md): reach 105,000-225,000, likes 2,500-9,500, comments 16-850.
PILOT_BANDS = {"views": (105_000, 225_000), "likes": (2_500, 9_500), "comments": (16, 850)}
TOP = 5
WEEKLY_SPAN_DAYS = 26 * 7  # posts are counted per week up to half a year, per month beyond
DAILY_POINTS = 62  # up to about two months of follower counts are shown per day


def engagement_rate(views, likes, comments, shares) -> float | None:
    """Likes, comments and shares as a percentage of views."""
    if not views:
        return None
    return (likes + comments + shares) / views * 100


def band(metric: str, value: int | None) -> str | None:
    """'below', 'within' or 'above' the pilot's range for this metric."""
    if value is None or metric not in PILOT_BANDS:
        return None
    low, high = PILOT_BANDS[metric]
    return "below" if value < low else "above" if value > high else "within"


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


@dataclass
class VideoFigures:
    posting: Posting
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    measured_at: datetime | None
    # Since when TikTok no longer returns the video (deleted or made private): its last figures are stale.
    missing_since: datetime | None = None

    @property
    def brief(self):
        return self.posting.brief

    @property
    def stale(self) -> bool:
        return self.missing_since is not None

    @property
    def has_figures(self) -> bool:
        return self.views is not None

    @property
    def engagement_rate(self) -> float | None:
        if not self.has_figures:
            return None
        return engagement_rate(self.views, self.likes, self.comments, self.shares)

    @property
    def bands(self) -> dict:
        return {metric: band(metric, getattr(self, metric)) for metric in PILOT_BANDS}


def latest_figures(channel, start: date | None = None, end: date | None = None) -> list[VideoFigures]:
    """The channel's posted videos (posted between start and end, inclusive) with their latest figures.
    One query."""
    postings = Posting.objects.filter(brief__channel=channel)
    if start:
        postings = postings.filter(posted_at__gte=_start_of(start, channel))
    if end:
        postings = postings.filter(posted_at__lt=_start_of(end + timedelta(days=1), channel))
    return [_video(p) for p in _with_latest(postings).order_by("-posted_at", "-pk")]


def video_figures(posting: Posting) -> VideoFigures:
    """One video's latest figures. One query, whatever the channel's other videos hold."""
    return _video(_with_latest(Posting.objects.filter(pk=posting.pk)).get())


RESULT_FIELDS = (
    "id", "brief_id", "video_version_id", "posted_at", "tiktok_url", "tiktok_video_id",
    "brief__id", "brief__title", "brief__status", "brief__organisation_id", "brief__channel_id",
    "brief__topic_id", "brief__topic__id", "brief__topic__name", "brief__topic__theme",
)  # fmt: skip


def _with_latest(postings):
    # A left join on the one LatestFigures row per video: videos without figures yet stay in the list.
    # Only the columns the results read: a channel's years are thousands of rows, and building every field of
    # the posting, its brief (long texts) and topic cost more than the query (a deferred field read later would
    # be a query per row, which the 1x/4x query-count tests catch).
    return (
        postings.select_related("brief__topic")
        .only(*RESULT_FIELDS)
        .annotate(
            last_views=F("latest_figures__views"),
            last_likes=F("latest_figures__likes"),
            last_comments=F("latest_figures__comments"),
            last_shares=F("latest_figures__shares"),
            last_measured=F("latest_figures__measured_at"),
            missing_since=F("missing_at_tiktok__since"),
        )
    )


def _video(p: Posting) -> VideoFigures:
    return VideoFigures(p, p.last_views, p.last_likes, p.last_comments, p.last_shares, p.last_measured, p.missing_since)


REBUILD_CHUNK = 500  # postings per statement: IN lists stay well within SQLite's and PostgreSQL's limits
LATEST_COLUMNS = ("posting_id", "views", "likes", "comments", "shares", "measured_at", "bucket", "source")


def rebuild_latest_figures(posting_ids, *, deleted: bool = True) -> None:
    """Make LatestFigures of these postings equal to their latest snapshot (by captured_at, then bucket, then
    id), in set-based SQL: per chunk one INSERT ... SELECT ... ON CONFLICT (the latest snapshot of each
    posting found along the (posting, -captured_at) index) and, unless ``deleted`` is False (the caller just
    wrote a snapshot of each), one DELETE for postings left without snapshots.

    Every path that writes snapshots calls it in the same transaction. An upsert rather than delete and
    insert, so that two writers of the same video (a pull and a hand entry) never collide on the key."""
    ids = sorted({int(pk) for pk in posting_ids})
    if not ids:
        return
    connection = connections[LatestFigures.objects.db]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in LATEST_COLUMNS)
    updates = ", ".join(f"{quote(column)} = excluded.{quote(column)}" for column in LATEST_COLUMNS[1:])
    newest = VideoSnapshot.objects.filter(posting=OuterRef("pk")).order_by("-captured_at", "-bucket", "-pk")
    # No savepoint of its own: inside the caller's transaction it adds no statements; alone, it is one.
    with transaction.atomic(using=connection.alias, savepoint=False):
        for first in range(0, len(ids), REBUILD_CHUNK):
            chunk = ids[first : first + REBUILD_CHUNK]
            latest_ids = Posting.objects.filter(pk__in=chunk).values(latest=Subquery(newest.values("pk")[:1]))
            rows = (
                VideoSnapshot.objects.filter(pk__in=latest_ids)
                .order_by()
                .values_list("posting_id", "views", "likes", "comments", "shares", "captured_at", "bucket", "source")
            )
            select, params = rows.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {quote(LatestFigures._meta.db_table)} ({columns}) {select} "
                    f"ON CONFLICT ({quote('posting_id')}) DO UPDATE SET {updates}",
                    params,
                )
            if deleted:
                without = VideoSnapshot.objects.filter(posting=OuterRef("posting"))
                LatestFigures.objects.filter(posting_id__in=chunk).exclude(Exists(without)).delete()


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``: the value at ``fraction``
    of the ordered values, interpolated between the two nearest (0.5: the median). NULLs are left out. Other
    databases: use ``percentiles``, which falls back to the same computation in Python."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float = 0.5, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError(f"A percentile is a fraction from 0 to 1, not {fraction}")
        # A float's repr is a plain number: safe to put in the SQL as it is.
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise NotSupportedError("percentile_cont needs PostgreSQL; use stats.selectors.percentiles")
        return super().as_sql(compiler, connection, **extra_context)


def percentile_cont(values, fraction: float = 0.5) -> float | None:
    """What PostgreSQL's percentile_cont computes, in Python: first + (second - first) * (position - floor)."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentiles(queryset, fraction: float = 0.5, **expressions) -> dict[str, float | None]:
    """The ``fraction`` percentile of each expression over ``queryset``: by the database on PostgreSQL
    (one query, one row back), elsewhere (SQLite, in development and tests) from the expression's values in
    Python, the same computation."""
    # Aliases apart from the field names: aggregate(views=Percentile(F("views"))) would refer to itself.
    names = {name: f"percentile_{name}" for name in expressions}
    if connections[queryset.db].vendor == "postgresql":
        aggregates = {names[name]: Percentile(expression, fraction) for name, expression in expressions.items()}
        values = queryset.aggregate(**aggregates)
        return {name: values[alias] for name, alias in names.items()}
    rows = queryset.annotate(**{names[name]: e for name, e in expressions.items()}).values_list(*names.values())
    columns = list(zip(*rows, strict=True)) or [() for _ in names]
    return {name: percentile_cont(column, fraction) for name, column in zip(names, columns, strict=True)}


# Likes, comments and shares as a percentage of views, in the same order of operations as engagement_rate
# (so the database and Python give the same float); NULL without views, like engagement_rate's None.
ENGAGEMENT_RATE = Case(
    When(
        views__gt=0,
        then=Cast(F("likes") + F("comments") + F("shares"), FloatField()) / Cast(F("views"), FloatField()) * 100,
    ),
    output_field=FloatField(),
)


def channel_medians(channel) -> dict[str, float | None]:
    """The median views and engagement rate per video of all the channel's videos with figures, computed by
    the database from LatestFigures (one row per video): it never reads the snapshots. One query."""
    rows = LatestFigures.objects.filter(posting__brief__channel=channel)
    return percentiles(rows, 0.5, views=F("views"), engagement=ENGAGEMENT_RATE)


def _start_of(day: date, channel) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), channel.organisation.zone)


@dataclass
class GroupFigures:
    name: str
    videos: int
    median_views: float | None
    median_engagement: float | None


def _groups(videos: list[VideoFigures], key, label=str) -> list[GroupFigures]:
    """Figures per group of ``key``; ``label`` names a group (once per group, not once per video: translating a
    theme for each of a channel's thousands of videos cost more than the figures)."""
    grouped = defaultdict(list)
    for video in videos:
        grouped[key(video)].append(video)
    rows = [
        GroupFigures(
            name=str(label(name)),
            videos=len(members),
            median_views=median(v.views for v in members),
            median_engagement=median(v.engagement_rate for v in members),
        )
        for name, members in grouped.items()
    ]
    return sorted(rows, key=lambda row: (-(row.median_views or -1), row.name))


@dataclass
class ChannelResults:
    channel: object
    start: date | None
    end: date | None
    videos: list[VideoFigures]
    followers: list[FollowerSnapshot]
    totals: dict = field(default_factory=dict)
    median_views: float | None = None
    median_engagement: float | None = None
    top: list[VideoFigures] = field(default_factory=list)
    bottom: list[VideoFigures] = field(default_factory=list)
    topics: list[GroupFigures] = field(default_factory=list)
    themes: list[GroupFigures] = field(default_factory=list)
    posts_per_week: list[dict] = field(default_factory=list)
    in_bands: dict = field(default_factory=dict)

    @property
    def measured(self) -> list[VideoFigures]:
        return [video for video in self.videos if video.has_figures]

    @property
    def stale(self) -> list[VideoFigures]:
        """Videos whose figures are counted at their last measurement: TikTok no longer returns them."""
        return [video for video in self.videos if video.stale]

    @property
    def follower_growth(self) -> int | None:
        if len(self.followers) < 2:
            return None
        return self.followers[-1].followers - self.followers[0].followers

    @property
    def latest_followers(self) -> FollowerSnapshot | None:
        return self.followers[-1] if self.followers else None

    @property
    def follower_points(self) -> list[FollowerSnapshot]:
        """Followers per day; over a longer period, the last count of each week (and the latest), so the
        chart and its table stay readable."""
        if len(self.followers) <= DAILY_POINTS:
            return self.followers
        weekly = {row.day.isocalendar()[:2]: row for row in self.followers}
        return list(weekly.values())


def channel_results(channel, start: date | None = None, end: date | None = None, *, today: date) -> ChannelResults:
    """Everything the results page and the report show, as of ``today`` (the organisation's local date).
    Two queries."""
    videos = latest_figures(channel, start, end)
    followers = channel.follower_snapshots.order_by("day")
    if start:
        followers = followers.filter(day__gte=start)
    if end:
        followers = followers.filter(day__lte=end)
    result = ChannelResults(channel, start, end, videos, list(followers))
    measured = result.measured
    result.totals = {
        metric: sum(getattr(v, metric) for v in measured) for metric in ("views", "likes", "comments", "shares")
    }
    result.totals["engagement_rate"] = engagement_rate(**result.totals) if measured else None
    result.median_views = median(v.views for v in measured)
    result.median_engagement = median(v.engagement_rate for v in measured)
    by_views = sorted(measured, key=lambda v: (-v.views, v.posting.pk))
    result.top = by_views[:TOP]
    result.bottom = list(reversed(by_views[max(TOP, len(by_views) - TOP) :]))  # never a video of the top
    result.topics = _groups(measured, lambda v: v.brief.topic.name)
    themes = dict(Topic._meta.get_field("theme").flatchoices)
    result.themes = _groups(measured, lambda v: v.brief.topic.theme, lambda theme: themes.get(theme, theme))
    result.in_bands = {metric: sum(1 for v in measured if v.bands[metric] == "within") for metric in PILOT_BANDS}
    result.posts_per_week = _posts_per_week(videos, channel, start, end, today)
    return result


def _posts_per_week(
    videos: list[VideoFigures], channel, start: date | None, end: date | None, today: date
) -> list[dict]:
    """Posts per ISO week over the period (from the first post when it has no start, up to today when
    it has no end), empty weeks included. Over more than half a year, per month instead, with the
    average per week, so the chart and its table stay readable."""
    if not videos:
        return []
    zone = channel.organisation.zone
    days = [video.posting.posted_at.astimezone(zone).date() for video in videos]
    first, last = start or min(days), end or max(max(days), today)
    rows = []
    if (last - first).days <= WEEKLY_SPAN_DAYS:
        weeks = defaultdict(int)
        for day in days:
            weeks[day - timedelta(days=day.weekday())] += 1
        monday = first - timedelta(days=first.weekday())
        while monday <= last:
            year, week, _ = monday.isocalendar()
            label = f"{year}-W{week:02d}"
            rows.append({"start": monday, "label": label, "posts": weeks.get(monday, 0), "per_week": None})
            monday += timedelta(days=7)
        return rows
    months = defaultdict(int)
    for day in days:
        months[day.replace(day=1)] += 1
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        weeks = (following - month).days / 7
        posts = months.get(month, 0)
        rows.append(
            {"start": month, "label": f"{month:%Y-%m}", "posts": posts, "weeks": weeks, "per_week": posts / weeks}
        )
        month = following
    return rows


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    source: object | None = None  # what it follows (a budget period), if anything


DEFAULT_MONTHS = 6


def default_period(channel, *, today: date) -> Period:
    """The period the results open on: the first that a ``results_period`` hook offers (budget: the budget
    period running ``today``, up to today); without one, the last six months."""
    for hook in hooks.get("results_period"):
        offered = hook(channel, today)
        if offered is not None:
            start, end, source = offered
            return Period(start, end, source)
    return Period(months_before(today, DEFAULT_MONTHS) + timedelta(days=1), today)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def video_history(posting: Posting) -> list[VideoSnapshot]:
    """One video's snapshots in the order they were measured. One query."""
    return list(VideoSnapshot.objects.filter(posting=posting).order_by("captured_at", "bucket"))

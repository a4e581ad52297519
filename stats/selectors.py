"""The figures behind the results pages and the report.

Every function runs a fixed number of queries however many videos and snapshots there are. The latest
figures per video are kept in ``LatestFigures`` (one row per video, rebuilt by every write of snapshots), so
no page searches the snapshots for the latest. Medians over a whole channel are computed by the database
(PostgreSQL's percentile_cont), and so are the period's sums, groups and top videos: a page reads a page of
videos, never all of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import NamedTuple

from django.db import NotSupportedError, connection, connections, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from audit import trail
from content.models import Posting, Topic
from core import dates, hooks

from .models import FollowerSnapshot, LatestFigures, MissingVideo, VideoSnapshot

# The pilot's ranges per video (DOMAIN.md): reach 105,000-225,000, likes 2,500-9,500, comments 16-850.
PILOT_BANDS = {"views": (105_000, 225_000), "likes": (2_500, 9_500), "comments": (16, 850)}
TOP = 5
WEEKLY_SPAN_DAYS = 26 * 7  # posts are counted per week up to half a year, per month beyond
DAILY_POINTS = 62  # up to about two months of follower counts are shown per day
WEEKLY_FOLLOWER_DAYS = 371  # then per week up to a year (53 weeks), per month beyond


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


def results_version(channel) -> tuple:
    """What the channel's results are computed from, in two queries: the organisation's latest audited change
    (every posting, brief or topic change, budget change, figures entered or imported by hand; not log-ins or
    downloads), and a fingerprint of the figures a pull writes without an audit event (each video's latest
    figures, the follower counts, the videos TikTok no longer returns). When none of it changed, neither did
    the results."""
    tables = {
        "latest": LatestFigures._meta.db_table,
        "posting": Posting._meta.db_table,
        "brief": Posting._meta.get_field("brief").related_model._meta.db_table,
        "followers": FollowerSnapshot._meta.db_table,
        "missing": MissingVideo._meta.db_table,
    }
    sql = """
        SELECT
          (SELECT count(*) || ':' || coalesce(sum(f.views + f.likes + f.comments + f.shares), 0) || ':'
                  || coalesce(CAST(max(f.measured_at) AS TEXT), '')
             FROM {latest} f JOIN {posting} p ON p.id = f.posting_id JOIN {brief} b ON b.id = p.brief_id
            WHERE b.channel_id = %s),
          (SELECT count(*) || ':' || coalesce(sum(followers), 0) || ':' || coalesce(CAST(max(day) AS TEXT), '')
             FROM {followers} WHERE channel_id = %s),
          (SELECT count(*) || ':' || coalesce(CAST(max(m.since) AS TEXT), '')
             FROM {missing} m JOIN {posting} p ON p.id = m.posting_id JOIN {brief} b ON b.id = p.brief_id
            WHERE b.channel_id = %s)
    """.format(**tables)  # noqa: S608 (table names from the models; the values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [channel.pk, channel.pk, channel.pk])
        figures = tuple(str(value) for value in cursor.fetchone())
    return (*trail.head(channel.organisation, changes_only=True), *figures)


def _postings_in(channel, start: date | None = None, end: date | None = None):
    """The channel's posted videos, posted between start and end (inclusive, the organisation's days)."""
    postings = Posting.objects.filter(brief__channel=channel)
    if start:
        postings = postings.filter(posted_at__gte=_start_of(start, channel))
    if end:
        postings = postings.filter(posted_at__lt=_start_of(end + timedelta(days=1), channel))
    return postings


def video_figures(posting: Posting) -> VideoFigures:
    """One video's latest figures. One query, whatever the channel's other videos hold."""
    return _video(_with_latest(Posting.objects.filter(pk=posting.pk)).get())


RESULT_FIELDS = (
    "id", "brief_id", "video_version_id", "posted_at", "tiktok_url", "tiktok_video_id",
    "brief__id", "brief__number", "brief__title", "brief__status", "brief__organisation_id", "brief__channel_id",
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


def grouped_percentiles(queryset, group: str, fraction: float = 0.5, **expressions) -> dict:
    """Per value of ``group``: the number of rows (``rows``) and the ``fraction`` percentile of each expression,
    by the database on PostgreSQL (one query, a row per group), elsewhere in Python, like ``percentiles``."""
    names = {name: f"percentile_{name}" for name in expressions}
    queryset = queryset.order_by()  # a model's default ordering would split the groups
    if connections[queryset.db].vendor == "postgresql":
        aggregates = {names[name]: Percentile(expression, fraction) for name, expression in expressions.items()}
        rows = queryset.values(group).annotate(group_rows=Count("pk"), **aggregates)
        return {
            row[group]: {"rows": row["group_rows"]} | {name: row[alias] for name, alias in names.items()}
            for row in rows
        }
    columns = defaultdict(list)
    rows = queryset.annotate(**{names[name]: e for name, e in expressions.items()})
    for key, *values in rows.values_list(group, *names.values()):
        columns[key].append(values)
    return {
        key: {"rows": len(members)}
        | {name: percentile_cont((row[n] for row in members), fraction) for n, name in enumerate(names)}
        for key, members in columns.items()
    }


def _groups(figures, group: str, label=str) -> list[GroupFigures]:
    """Figures per value of ``group`` over the videos with figures; ``label`` names a group (once per group)."""
    grouped = grouped_percentiles(figures, group, 0.5, views=F("views"), engagement=ENGAGEMENT_RATE)
    rows = [
        GroupFigures(str(label(name)), values["rows"], values["views"], values["engagement"])
        for name, values in grouped.items()
    ]
    return sorted(rows, key=lambda row: (-(row.median_views or -1), row.name))


class FollowerPoint(NamedTuple):
    day: date
    followers: int


class VideoList:
    """A period's videos with their latest figures, newest first, read from the database a slice at a time: the
    page shows 50 of a channel's thousands (``core.pagination`` slices it), its length is counted once."""

    def __init__(self, postings, count: int):
        self.postings, self.total = postings, count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_video(p) for p in self.postings[index]]
        return _video(self.postings[index])

    def __iter__(self):
        return (_video(p) for p in self.postings.iterator(chunk_size=REBUILD_CHUNK))

    def __getstate__(self):
        # Cached with the rest of the results: the query, never its rows (pickling a queryset would read them all).
        return {"query": self.postings.query, "model": self.postings.model, "total": self.total}

    def __setstate__(self, state):
        self.postings = state["model"].objects.all()
        self.postings.query = state["query"]
        self.total = state["total"]


@dataclass
class ChannelResults:
    channel: object
    start: date | None
    end: date | None
    videos: VideoList
    followers: list[FollowerPoint]
    measured: int = 0  # videos with figures
    stale: int = 0  # videos counted at their last figures: TikTok no longer returns them
    totals: dict = field(default_factory=dict)
    median_views: float | None = None
    median_engagement: float | None = None
    top: list[VideoFigures] = field(default_factory=list)
    bottom: list[VideoFigures] = field(default_factory=list)
    topics: list[GroupFigures] = field(default_factory=list)
    themes: list[GroupFigures] = field(default_factory=list)
    posts_per_week: list[dict] = field(default_factory=list)
    in_bands: dict = field(default_factory=dict)

    def __getstate__(self):
        """Cached (``stats.report``) with the followers shown, not every day's count: the first and the latest are
        enough for the growth, and the points and their step are kept as computed."""
        state = self.__dict__ | {"follower_step": self.follower_step, "follower_points": self.follower_points}
        state["followers"] = self.followers[:1] + self.followers[-1:] if len(self.followers) > 1 else self.followers
        return state

    @property
    def follower_growth(self) -> int | None:
        if len(self.followers) < 2:
            return None
        return self.followers[-1].followers - self.followers[0].followers

    @property
    def latest_followers(self) -> FollowerPoint | None:
        return self.followers[-1] if self.followers else None

    @cached_property
    def follower_step(self) -> str:
        """'day', 'week' or 'month': how the chart and its table show the followers, so both stay readable."""
        if len(self.followers) <= DAILY_POINTS:
            return "day"
        return "week" if (self.followers[-1].day - self.followers[0].day).days <= WEEKLY_FOLLOWER_DAYS else "month"

    @cached_property
    def follower_points(self) -> list[FollowerPoint]:
        """Followers per day; over a longer period the last count of each week (up to a year) or month, and the
        latest."""
        if self.follower_step == "day":
            return self.followers
        if self.follower_step == "week":
            points = {row.day.isocalendar()[:2]: row for row in self.followers}
        else:
            points = {(row.day.year, row.day.month): row for row in self.followers}
        return list(points.values())


def channel_results(channel, start: date | None = None, end: date | None = None, *, today: date) -> ChannelResults:
    """Everything the results page and the report show, as of ``today`` (the organisation's local date),
    computed by the database from one row of latest figures per video: sums, medians, bands and groups are
    aggregates, the top and bottom are sorted there, and only a page of videos is read (``VideoList``). A fixed
    number of queries whatever the number of videos."""
    postings = _postings_in(channel, start, end)
    counts = postings.aggregate(videos=Count("pk"), stale=Count("missing_at_tiktok__since"))
    followers = channel.follower_snapshots.order_by("day")
    if start:
        followers = followers.filter(day__gte=start)
    if end:
        followers = followers.filter(day__lte=end)
    videos = VideoList(_with_latest(postings).order_by("-posted_at", "-pk"), counts["videos"])
    result = ChannelResults(
        channel, start, end, videos, [FollowerPoint(*row) for row in followers.values_list("day", "followers")]
    )
    result.stale = counts["stale"]
    figures = LatestFigures.objects.filter(posting__in=postings.values("pk"), views__isnull=False)
    metrics = ("views", "likes", "comments", "shares")
    aggregates = {f"total_{metric}": Sum(metric) for metric in metrics} | {
        f"within_{metric}": Count("pk", filter=Q(**{f"{metric}__gte": low, f"{metric}__lte": high}))
        for metric, (low, high) in PILOT_BANDS.items()
    }
    values = figures.aggregate(measured=Count("pk"), **aggregates)
    result.measured = values["measured"]
    result.totals = {metric: values[f"total_{metric}"] or 0 for metric in metrics}
    result.totals["engagement_rate"] = engagement_rate(**result.totals) if result.measured else None
    result.in_bands = {metric: values[f"within_{metric}"] for metric in PILOT_BANDS}
    if result.measured:
        medians = percentiles(figures, 0.5, views=F("views"), engagement=ENGAGEMENT_RATE)
        result.median_views, result.median_engagement = medians["views"], medians["engagement"]
        result.top, result.bottom = _top_and_bottom(postings, result.measured)
        result.topics = _groups(figures, "posting__brief__topic__name")
        themes = dict(Topic._meta.get_field("theme").flatchoices)
        result.themes = _groups(figures, "posting__brief__topic__theme", lambda theme: themes.get(theme, theme))
    result.posts_per_week = _posts_per_week(_posts_per_day(postings, channel), start, end, today)
    return result


def _top_and_bottom(postings, measured: int) -> tuple[list[VideoFigures], list[VideoFigures]]:
    """The ``TOP`` most viewed videos and the ``TOP`` least viewed (never one of the top: fewer when the period
    has fewer than twice ``TOP``), ranked by the database in one query: views down, then the oldest id first."""
    ranked = (
        _with_latest(postings)
        .filter(latest_figures__views__isnull=False)
        .annotate(rank=Window(RowNumber(), order_by=[F("latest_figures__views").desc(), F("pk").asc()]))
        .filter(Q(rank__lte=TOP) | Q(rank__gt=max(TOP, measured - TOP)))
        .order_by("rank")
    )
    videos = [(p.rank, _video(p)) for p in ranked]
    return [v for rank, v in videos if rank <= TOP], [v for rank, v in reversed(videos) if rank > TOP]


def _posts_per_day(postings, channel) -> dict[date, int]:
    """How many videos were posted on each local day (the organisation's time zone), counted by the database."""
    rows = (
        postings.order_by()
        .annotate(day=TruncDate("posted_at", tzinfo=channel.organisation.zone))
        .values("day")
        .annotate(posts=Count("pk"))
    )
    return {row["day"]: row["posts"] for row in rows}


def _posts_per_week(per_day: dict[date, int], start: date | None, end: date | None, today: date) -> list[dict]:
    """Posts per ISO week over the period (from the first post when it has no start, up to today when
    it has no end), empty weeks included. Over more than half a year, per month instead, with the
    average per week, so the chart and its table stay readable."""
    if not per_day:
        return []
    first, last = start or min(per_day), end or max(max(per_day), today)
    rows = []
    if (last - first).days <= WEEKLY_SPAN_DAYS:
        weeks = defaultdict(int)
        for day, posts in per_day.items():
            weeks[day - timedelta(days=day.weekday())] += posts
        monday = first - timedelta(days=first.weekday())
        while monday <= last:
            # As people say it ("week 44", "vecka 44"), not ISO's "2026-W44"; the table adds the Monday's date.
            label = gettext("week %(number)d") % {"number": monday.isocalendar().week}
            rows.append({"start": monday, "label": label, "posts": weeks.get(monday, 0), "per_week": None})
            monday += timedelta(days=7)
        return rows
    months = defaultdict(int)
    for day, posts in per_day.items():
        months[day.replace(day=1)] += posts
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        weeks = (following - month).days / 7
        posts = months.get(month, 0)
        rows.append(
            {
                "start": month,
                "label": dates.pattern(month, "LLL y"),
                "posts": posts,
                "weeks": weeks,
                "per_week": posts / weeks,
            }
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

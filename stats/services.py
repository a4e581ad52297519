"""Pulling stats from TikTok into snapshots.

A pull asks /v2/video/query/ for the channel's posted videos in batches of 20, then writes all
snapshots in one transaction as a bulk upsert keyed (video, bucket): a rerun, a duplicate delivery or a
worker killed halfway never doubles or loses a snapshot, and a run that fails leaves no partial data.
No database transaction is held open while talking to TikTok.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import people_with_role, require_in
from accounts.roles import Capability, Role
from audit import trail
from audit.actions import AuditAction, Result
from audit.trail import Origin
from content.models import Posting
from core import outbox

from . import locks
from .client import MAX_QUERY_IDS, OAuthClient, TikTokClient, TikTokError
from .models import (
    REVOKE_FAILED,
    ChannelConnection,
    ConnectionStatus,
    FollowerSnapshot,
    MissingVideo,
    PullRun,
    PullStatus,
    RunKind,
    Source,
    VideoSnapshot,
)
from .ratelimit import Limiter
from .selectors import rebuild_latest_figures

BUCKET_HOURS = 3  # "every few hours": snapshots of one video are at most one per 3-hour bucket
FRESH_DAYS = 7
STOP_AFTER_DAYS = 365
REFRESH_MARGIN = timedelta(minutes=10)
REFRESH_LOCK_SECONDS = 30
REFRESH_LOCK_WAIT = 10
EXPIRY_WARNING = timedelta(days=14)  # team social is told this long before TikTok's authorisation runs out
STUCK_AFTER = timedelta(minutes=30)  # a pull takes seconds; one still "running" after this lost its worker


def bucket_for(moment: datetime) -> datetime:
    """The start of the 3-hour UTC bucket ``moment`` falls in."""
    moment = moment.astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0, hour=moment.hour - moment.hour % BUCKET_HOURS)


def postings_due(channel, now: datetime, *, fresh_only: bool = False):
    """Videos posted in the last 365 days (stats stop after a year), or only those of the last 7 days,
    which the three-hourly job follows closely while they are fresh."""
    days = FRESH_DAYS if fresh_only else STOP_AFTER_DAYS
    return Posting.objects.filter(brief__channel=channel, posted_at__gte=now - timedelta(days=days))


def _client(connection: ChannelConnection) -> TikTokClient:
    token = connection.access_token
    return TikTokClient(settings.TIKTOK_API_BASE_URL, token, limiter=Limiter(token), timeout=_timeout())


def _timeout() -> httpx.Timeout:
    seconds = settings.TIKTOK_TIMEOUT_SECONDS
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


def oauth_client() -> OAuthClient:
    return OAuthClient(
        settings.TIKTOK_API_BASE_URL, settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, timeout=_timeout()
    )


def connection_save(*, actor, channel, tokens, now: datetime, origin=None) -> ChannelConnection:
    """Store the tokens TikTok gave for ``channel`` after its consent page (encrypted), as connected by
    ``actor`` — once TikTok confirms they belong to the channel's own account. Someone logged in to TikTok as
    another account (their own, another organisation's) would otherwise pour its figures into this channel:
    then the tokens are revoked and nothing is stored."""
    require_in(actor, channel.organisation_id, Capability.CONNECT_CHANNEL)
    client = TikTokClient(settings.TIKTOK_API_BASE_URL, tokens.access_token, timeout=_timeout())
    try:
        username = str(client.profile().get("username") or "")
    finally:
        client.close()
    if username.lower() != channel.handle.lower():
        with contextlib.suppress(TikTokError):
            oauth_client().revoke(tokens.access_token)
        trail.record(
            organisation=channel.organisation,
            actor=actor,
            action=AuditAction.TIKTOK_CONNECTED,
            obj=channel,
            origin=origin,
            result=Result.REFUSED,
            details={"username": username},
        )
        if not username:
            raise ValidationError(
                _("TikTok did not say which account gave access. Connect again and allow access to the profile, so we "
                  "can check that it is @%(handle)s.") % {"handle": channel.handle},
                code="no_username",
            )  # fmt: skip
        raise ValidationError(
            _("You gave access as @%(username)s, but this channel is @%(handle)s. Log in to TikTok as @%(handle)s "
              "and connect again.") % {"username": username, "handle": channel.handle},
            code="wrong_account",
        )  # fmt: skip
    with transaction.atomic():
        return _store_connection(actor, channel, tokens, now, origin)


def _store_connection(actor, channel, tokens, now: datetime, origin) -> ChannelConnection:
    connection = ChannelConnection.objects.filter(channel=channel).first() or ChannelConnection(channel=channel)
    connection.open_id = tokens.open_id
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.scopes = tokens.scope
    connection.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    connection.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
    connection.status, connection.status_message, connection.connected_by = ConnectionStatus.CONNECTED, "", actor
    connection.connected_at = now
    connection.save()
    trail.record(
        organisation=channel.organisation,
        actor=actor,
        action=AuditAction.TIKTOK_CONNECTED,
        obj=channel,
        origin=origin,
        details={"scopes": tokens.scope},
    )
    return connection


def connection_revoke(*, actor, connection: ChannelConnection, origin=None) -> ChannelConnection:
    """Disconnect the channel: ask TikTok to revoke the token (if it no longer accepts it, disconnecting here is
    what matters), then forget the tokens and record it. No transaction is open while TikTok answers."""
    channel = connection.channel
    require_in(actor, channel.organisation_id, Capability.CONNECT_CHANNEL)
    try:
        oauth_client().revoke(connection.access_token)
        failure = None
    except TikTokError as error:
        failure = error
    with transaction.atomic():
        connection.access_token = connection.refresh_token = ""
        connection.status = ConnectionStatus.DISCONNECTED
        # A failed revoke stays visible: the access may still stand at TikTok until someone removes it there.
        connection.status_message = f"{REVOKE_FAILED}: {failure}"[:300] if failure else ""
        connection.save()
        details = {"revoked_at_tiktok": failure is None}
        if failure is not None:
            details["revoke_error"] = str(failure)[:300]
        trail.record(
            organisation=channel.organisation,
            actor=actor,
            action=AuditAction.TIKTOK_DISCONNECTED,
            obj=channel,
            origin=origin,
            details=details,
        )
    return connection


def refresh_tokens(connection: ChannelConnection, *, now: datetime) -> ChannelConnection:
    """Refresh the access token once, with a lock so two workers don't both spend the refresh token
    (TikTok may rotate it: the one returned is always stored).

    The lock is ``locks.exclusive`` (a Redis key in production), not a database row lock: no database
    transaction stays open while we wait for TikTok.
    """
    try:
        with locks.exclusive(
            f"tiktok-refresh-{connection.pk}", hold_seconds=REFRESH_LOCK_SECONDS, wait_seconds=REFRESH_LOCK_WAIT
        ):
            return _refresh_locked(connection, now)
    except locks.LockBusy:
        raise TikTokError("refresh_busy", "Another worker is refreshing this channel's token.") from None


def _refresh_locked(connection: ChannelConnection, now: datetime) -> ChannelConnection:
    current = ChannelConnection.objects.get(pk=connection.pk)
    if current.access_token_encrypted != connection.access_token_encrypted:
        return current  # another worker refreshed meanwhile
    try:
        tokens = oauth_client().refresh(current.refresh_token)
    except TikTokError as error:
        # OAuth's own refusal (invalid_grant and the like) means the authorisation is dead; an answer we could
        # not read says nothing about it.
        if error.token_invalid or (error.status in (400, 401) and error.code != "bad_response"):
            _needs_reconnect(current, now)
        raise
    current.access_token = tokens.access_token
    current.refresh_token = tokens.refresh_token
    current.scopes = tokens.scope
    current.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    current.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
    current.status, current.status_message = ConnectionStatus.CONNECTED, ""
    current.save()
    return current


def _needs_reconnect(connection: ChannelConnection, now: datetime) -> None:
    """Turn the connection to "connect again" and tell team social, once per change (a conditional update: the
    pulls that fail after it, or a second worker, find it changed already)."""
    with transaction.atomic():
        changed = (
            ChannelConnection.objects.filter(pk=connection.pk)
            .exclude(status=ConnectionStatus.RECONNECT)
            .update(
                status=ConnectionStatus.RECONNECT,
                status_message="TikTok no longer accepts this channel's authorisation: connect it again.",
                updated_at=now,
            )
        )
        if changed:
            trail.record(
                organisation=connection.channel.organisation,
                actor=None,
                action=AuditAction.TIKTOK_RECONNECT_NEEDED,
                obj=connection.channel,
                origin=Origin.system("tiktok-pull"),
            )
            news = now.isoformat()  # the moment of this change: a later one is news again
            _mail_team_social(connection, kind="tiktok.reconnect", template="stats/email/reconnect", news=news)


def _mail_team_social(connection: ChannelConnection, *, kind: str, template: str, news: str, **context) -> int:
    """Queue a mail about the connection for the channel's team social (once per ``news`` and person)."""
    channel = connection.channel
    url = settings.SITE_URL.rstrip("/") + reverse("stats_channel", args=[channel.pk])
    queued = 0
    for person in people_with_role(channel.organisation, Role.TEAM_SOCIAL):
        mail = outbox.send(
            kind=kind,
            template=template,
            context={"channel": channel, "url": url, **context},
            person=person,
            organisation=channel.organisation,
            key=f"{kind}:{connection.pk}:{news}:{person.pk}",
        )
        queued += mail is not None
    return queued


def warn_expiring_connections(*, now: datetime) -> int:
    """Tell team social, 14 days ahead, that TikTok's authorisation of a channel runs out (its refresh token lives
    365 days): once per connection and expiry date. Returns how many mails were queued."""
    expiring = ChannelConnection.objects.filter(
        status=ConnectionStatus.CONNECTED,
        channel__is_active=True,
        refresh_expires_at__gt=now,
        refresh_expires_at__lte=now + EXPIRY_WARNING,
    ).select_related("channel__organisation")
    queued = 0
    for connection in expiring:
        expires_on = timezone.localdate(connection.refresh_expires_at, connection.channel.organisation.zone)
        with transaction.atomic():
            queued += _mail_team_social(
                connection,
                kind="tiktok.expiring",
                template="stats/email/expiring",
                news=expires_on.isoformat(),
                expires_on=expires_on,
            )
    return queued


class _Session:
    """A TikTok client for one pull. When TikTok says the access token died mid-run, it refreshes the token once
    and asks again; a token refused right after its renewal is a passing fault, not a dead authorisation."""

    def __init__(self, connection: ChannelConnection, now: datetime):
        self.connection, self.now = connection, now
        if connection.access_expires_at and connection.access_expires_at - REFRESH_MARGIN < now:
            self.connection = refresh_tokens(connection, now=now)
        self.client = _client(self.connection)
        self.refreshed = False
        self.earlier_requests = 0

    @property
    def requests_made(self) -> int:
        return self.earlier_requests + self.client.requests_made

    def ask(self, question):
        """``question(client)``, with one refresh of the access token if TikTok refuses it."""
        try:
            return question(self.client)
        except TikTokError as error:
            if not error.token_invalid:
                raise
            if self.refreshed:
                raise TikTokError(
                    "token_refused_after_refresh", "TikTok refused the access token it had just issued.", error.status
                ) from error
        self.refreshed = True
        self.connection = refresh_tokens(self.connection, now=self.now)
        self.earlier_requests += self.client.requests_made
        self.client.close()
        self.client = _client(self.connection)
        return self.ask(question)

    def close(self):
        self.client.close()


def _connected(channel) -> ChannelConnection:
    connection = ChannelConnection.objects.filter(channel=channel, status=ConnectionStatus.CONNECTED).first()
    if connection is None:
        raise TikTokError("not_connected", "The channel is not connected to TikTok (or must be reconnected).")
    return connection


def pull_video_stats(channel, *, now: datetime, progress=None, fresh_only: bool = False) -> PullRun:
    """Pull the figures of the channel's videos that are due as of ``now`` into the bucket of ``now``.

    TikTok's answer is checked per video: one it doesn't return (deleted, or made private) is named on the run and
    its last figures are marked stale; one it returns twice gets no figures from this run (which copy is right?);
    one without valid counts is skipped and named."""
    run = PullRun.objects.create(channel=channel, kind=RunKind.VIDEOS)
    session = None
    try:
        session = _Session(_connected(channel), now)
        postings = {p.tiktok_video_id: p for p in postings_due(channel, now, fresh_only=fresh_only)}
        ids = sorted(postings)
        run.videos_asked = len(ids)
        found: list[dict] = []
        for start in range(0, len(ids), MAX_QUERY_IDS):
            batch = ids[start : start + MAX_QUERY_IDS]
            found += session.ask(lambda client, batch=batch: client.video_query(batch))
            if progress:
                progress(min(start + MAX_QUERY_IDS, len(ids)), len(ids))
        answered = Counter(str(video.get("id")) for video in found)
        run.duplicate_videos = [video_id for video_id in ids if answered[video_id] > 1]
        run.missing_videos = [video_id for video_id in ids if not answered[video_id]]
        bucket = bucket_for(now)
        snapshots, incomplete = [], []
        for video in found:
            video_id = str(video.get("id"))
            if video_id not in postings or video_id in run.duplicate_videos:
                continue
            figures = _api_figures(video)
            if figures is None:
                incomplete.append(video_id)
                continue
            snapshots.append(
                VideoSnapshot(posting=postings[video_id], bucket=bucket, captured_at=now, source=Source.API, **figures)
            )
        with transaction.atomic():
            upsert_snapshots(snapshots)
            _note_missing(run, [postings[video_id] for video_id in run.missing_videos], now)
            _note_returned(channel, {snapshot.posting.pk for snapshot in snapshots})
        run.snapshots_written = len(snapshots)
        run.status = PullStatus.SUCCEEDED
        if incomplete:
            # Stored figures stay as they were for these; the next pull asks again.
            run.error = f"incomplete_figures: TikTok sent no valid figures for {', '.join(incomplete[:20])}"
        return run
    except TikTokError as error:
        run.status = PullStatus.FAILED
        run.error = str(error)
        error.run = run
        raise
    except Exception as error:
        # Never leave a run "running": whatever broke is on record (and the task decides on a retry).
        run.status = PullStatus.FAILED
        run.error = f"unexpected_error: {type(error).__name__}: {error}"[:2000]
        raise
    finally:
        if session is not None:
            run.requests_made = session.requests_made
            session.close()
        run.finished_at = timezone.now()
        run.save()


def _note_returned(channel, posting_ids: set[int]) -> None:
    """Videos TikTok returns again are no longer marked (the marked ones are few; the returned ones may be
    thousands, too many for one IN list)."""
    marked = MissingVideo.objects.filter(posting__brief__channel=channel).values_list("pk", "posting_id")
    MissingVideo.objects.filter(pk__in=[pk for pk, posting_id in marked if posting_id in posting_ids]).delete()


def _note_missing(run: PullRun, postings: list[Posting], now: datetime) -> None:
    """Mark videos TikTok no longer returns (the first miss keeps its moment: "since")."""
    MissingVideo.objects.bulk_create(
        [MissingVideo(posting=posting, since=now, last_run=run) for posting in postings],
        update_conflicts=True,
        unique_fields=["posting"],
        update_fields=["last_run"],
    )


API_FIGURES = {"views": "view_count", "likes": "like_count", "comments": "comment_count", "shares": "share_count"}


def upsert_snapshots(snapshots: list[VideoSnapshot]) -> None:
    """Write snapshots as one bulk upsert on their unique key (video, bucket, source): a rerun or a
    duplicate delivery updates the figures instead of adding rows. Pulls, imports and entries all use it, and
    it keeps the videos' LatestFigures in the same transaction, so the pages never see one without the other."""
    with transaction.atomic(savepoint=False):
        VideoSnapshot.objects.bulk_create(
            snapshots,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["posting", "bucket", "source"],
            update_fields=[*API_FIGURES, "captured_at"],
        )
        # Recomputed from the snapshots rather than taken from these: an import of an earlier day must not
        # replace later figures, and an upsert may move an existing snapshot's captured_at.
        rebuild_latest_figures({snapshot.posting_id for snapshot in snapshots}, deleted=False)


def _is_count(value) -> bool:
    """A count from TikTok's answer is checked before it is stored: a whole number, not negative."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _api_figures(video: dict) -> dict | None:
    """TikTok's counts for one video, or None when one is missing or not a valid count."""
    figures = {ours: video.get(theirs) for ours, theirs in API_FIGURES.items()}
    return figures if all(_is_count(value) for value in figures.values()) else None


def _note_unrecorded_videos(connection: ChannelConnection, on_tiktok: list[dict], now: datetime) -> None:
    """Public videos on the account that no posting records: the agency may have forgotten to record
    one, and its figures would be missing from every dashboard."""
    ids = [str(video.get("id", "")) for video in on_tiktok]
    recorded = Posting.objects.filter(brief__channel=connection.channel_id, tiktok_video_id__in=ids)
    recorded = set(recorded.values_list("tiktok_video_id", flat=True))
    missing = [
        {"id": str(video["id"]), "create_time": int(video.get("create_time", 0)), "title": str(video.get("title", ""))}
        for video in on_tiktok
        if video.get("id") and str(video["id"]) not in recorded
    ]
    ChannelConnection.objects.filter(pk=connection.pk).update(unrecorded_videos=missing, videos_checked_at=now)
    from .post_checks import note_posted_without_approval

    note_posted_without_approval(connection, missing, now)


def _follower_count(user: dict) -> int:
    value = user.get("follower_count")
    if not _is_count(value):
        raise TikTokError("bad_response", "TikTok sent no valid follower count.", 200)
    return value


def pull_followers(channel, *, now: datetime) -> PullRun:
    """The follower count (daily, for the local day of ``now``), and the account's list of public videos,
    to find unrecorded ones."""
    run = PullRun.objects.create(channel=channel, kind=RunKind.FOLLOWERS)
    session = None
    try:
        session = _Session(_connected(channel), now)
        user = session.ask(lambda client: client.user_info())
        listed = "video.list" in session.connection.scopes.split(",")
        on_tiktok = session.ask(lambda client: list(client.all_videos())) if listed else None
        day = timezone.localdate(now, channel.organisation.zone)
        # An upsert, not get-then-write: two deliveries of the same task at once must not collide on the day.
        FollowerSnapshot.objects.bulk_create(
            [FollowerSnapshot(channel=channel, day=day, followers=_follower_count(user))],
            update_conflicts=True,
            unique_fields=["channel", "day"],
            update_fields=["followers"],
        )
        if on_tiktok is not None:
            _note_unrecorded_videos(session.connection, on_tiktok, now)
        run.snapshots_written, run.status = 1, PullStatus.SUCCEEDED
        return run
    except TikTokError as error:
        run.status, run.error = PullStatus.FAILED, str(error)
        error.run = run
        raise
    except Exception as error:
        run.status = PullStatus.FAILED
        run.error = f"unexpected_error: {type(error).__name__}: {error}"[:2000]
        raise
    finally:
        if session is not None:
            run.requests_made = session.requests_made
            session.close()
        run.finished_at = timezone.now()
        run.save()


def note_next_attempt(run: PullRun | None, *, retry_at: datetime | None = None, gave_up: bool = False) -> None:
    """What the task decided after a failed run: a retry queued for ``retry_at``, or none left (``gave_up``)."""
    if run is not None and run.pk:
        PullRun.objects.filter(pk=run.pk).update(retry_at=retry_at, gave_up=gave_up)


def reap_stuck_runs(*, now: datetime, older_than: timedelta = STUCK_AFTER) -> list[PullRun]:
    """Runs still "running" long after they started lost their worker (killed, out of memory, a deploy): each is
    marked failed, and its pull queued again unless a later run of the same channel and kind has succeeded since.
    A video run is queued as the full pull (it doesn't say whether it was the fresh-only one): a superset."""
    from . import tasks  # the tasks call these services; queueing one from here is the exception

    stuck = PullRun.objects.filter(
        status=PullStatus.RUNNING, started_at__lt=now - older_than, kind__in=[RunKind.VIDEOS, RunKind.FOLLOWERS]
    ).order_by("started_at")
    reaped, queued = [], set()
    for run in stuck:
        requeue = not PullRun.objects.filter(
            channel=run.channel_id, kind=run.kind, status=PullStatus.SUCCEEDED, started_at__gt=run.started_at
        ).exists()
        with transaction.atomic():
            # Conditional: a worker that was only slow and finishes now keeps its own outcome.
            if not PullRun.objects.filter(pk=run.pk, status=PullStatus.RUNNING).update(
                status=PullStatus.FAILED,
                finished_at=now,
                error="worker_lost: the worker stopped during this pull"
                + ("; it was queued again" if requeue else "; a later pull had succeeded since"),
                retry_at=now if requeue else None,
            ):
                continue
            if requeue and (run.channel_id, run.kind) not in queued:  # one pull again for several lost runs
                queued.add((run.channel_id, run.kind))
                task = tasks.pull_channel_stats if run.kind == RunKind.VIDEOS else tasks.pull_channel_followers
                transaction.on_commit(lambda task=task, channel_id=run.channel_id: task.delay(channel_id), robust=True)
        reaped.append(run)
    return reaped

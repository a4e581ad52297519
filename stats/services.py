"""Pulling stats from TikTok into snapshots.

A pull asks /v2/video/query/ for the channel's posted videos in batches of 20, then writes all
snapshots in one transaction as a bulk upsert keyed (video, bucket): a rerun, a duplicate delivery or a
worker killed halfway never doubles or loses a snapshot, and a run that fails leaves no partial data.
No database transaction is held open while talking to TikTok.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction, Result
from content.models import Posting

from . import locks
from .client import MAX_QUERY_IDS, OAuthClient, TikTokClient, TikTokError
from .models import (
    ChannelConnection,
    ConnectionStatus,
    FollowerSnapshot,
    PullRun,
    PullStatus,
    RunKind,
    Source,
    VideoSnapshot,
)
from .ratelimit import Limiter

BUCKET_HOURS = 3  # "every few hours": snapshots of one video are at most one per 3-hour bucket
FRESH_DAYS = 7
STOP_AFTER_DAYS = 365
REFRESH_MARGIN = timedelta(minutes=10)
REFRESH_LOCK_SECONDS = 30
REFRESH_LOCK_WAIT = 10


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
        revoked = True
    except TikTokError:
        revoked = False
    with transaction.atomic():
        connection.access_token = connection.refresh_token = ""
        connection.status = ConnectionStatus.DISCONNECTED
        connection.save()
        trail.record(
            organisation=channel.organisation,
            actor=actor,
            action=AuditAction.TIKTOK_DISCONNECTED,
            obj=channel,
            origin=origin,
            details={"revoked_at_tiktok": revoked},
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
        if error.token_invalid or error.status in (400, 401):
            ChannelConnection.objects.filter(pk=current.pk).update(
                status=ConnectionStatus.RECONNECT,
                status_message="TikTok no longer accepts this channel's authorisation: connect it again.",
                updated_at=now,
            )
        raise
    current.access_token = tokens.access_token
    current.refresh_token = tokens.refresh_token
    current.scopes = tokens.scope
    current.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    current.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
    current.status, current.status_message = ConnectionStatus.CONNECTED, ""
    current.save()
    return current


def pull_video_stats(channel, *, now: datetime, progress=None, fresh_only: bool = False) -> PullRun:
    """Pull the figures of the channel's videos that are due as of ``now`` into the bucket of ``now``."""
    run = PullRun.objects.create(channel=channel, kind=RunKind.VIDEOS)
    connection = ChannelConnection.objects.filter(channel=channel).first()
    client = None
    try:
        if connection is None or connection.status != ConnectionStatus.CONNECTED:
            raise TikTokError("not_connected", "The channel is not connected to TikTok (or must be reconnected).")
        if connection.access_expires_at and connection.access_expires_at - REFRESH_MARGIN < now:
            connection = refresh_tokens(connection, now=now)
        postings = {p.tiktok_video_id: p for p in postings_due(channel, now, fresh_only=fresh_only)}
        ids = sorted(postings)
        run.videos_asked = len(ids)
        client = _client(connection)
        found: list[dict] = []
        refreshed = False
        for start in range(0, len(ids), MAX_QUERY_IDS):
            batch = ids[start : start + MAX_QUERY_IDS]
            try:
                found += client.video_query(batch)
            except TikTokError as error:
                if not error.token_invalid or refreshed:
                    raise
                # The access token died mid-run: refresh once and carry on with the same batch.
                refreshed = True
                connection = refresh_tokens(connection, now=now)
                run.requests_made += client.requests_made
                client.close()
                client = _client(connection)
                found += client.video_query(batch)
            if progress:
                progress(min(start + MAX_QUERY_IDS, len(ids)), len(ids))
        bucket = bucket_for(now)
        snapshots, incomplete = [], []
        for video in found:
            if video.get("id") not in postings:
                continue
            figures = _api_figures(video)
            if figures is None:
                incomplete.append(str(video["id"]))
                continue
            snapshots.append(
                VideoSnapshot(
                    posting=postings[video["id"]], bucket=bucket, captured_at=now, source=Source.API, **figures
                )
            )
        with transaction.atomic():
            upsert_snapshots(snapshots)
        run.snapshots_written = len(snapshots)
        run.status = PullStatus.SUCCEEDED
        if incomplete:
            # Stored figures stay as they were for these; the next pull asks again.
            run.error = f"incomplete_figures: TikTok sent no valid figures for {', '.join(incomplete[:20])}"
        return run
    except TikTokError as error:
        run.status = PullStatus.FAILED
        run.error = str(error)
        raise
    except Exception as error:
        # Never leave a run "running": whatever broke is on record (and the task decides on a retry).
        run.status = PullStatus.FAILED
        run.error = f"unexpected_error: {type(error).__name__}: {error}"[:2000]
        raise
    finally:
        if client is not None:
            run.requests_made += client.requests_made
            client.close()
        run.finished_at = timezone.now()
        run.save()


API_FIGURES = {"views": "view_count", "likes": "like_count", "comments": "comment_count", "shares": "share_count"}


def upsert_snapshots(snapshots: list[VideoSnapshot]) -> None:
    """Write snapshots as one bulk upsert on their unique key (video, bucket, source): a rerun or a
    duplicate delivery updates the figures instead of adding rows. Pulls, imports and entries all use it."""
    VideoSnapshot.objects.bulk_create(
        snapshots,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["posting", "bucket", "source"],
        update_fields=[*API_FIGURES, "captured_at"],
    )


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


def _follower_count(user: dict) -> int:
    value = user.get("follower_count")
    if not _is_count(value):
        raise TikTokError("bad_response", "TikTok sent no valid follower count.", 200)
    return value


def pull_followers(channel, *, now: datetime) -> PullRun:
    """The follower count (daily, for the local day of ``now``), and the account's list of public videos,
    to find unrecorded ones."""
    run = PullRun.objects.create(channel=channel, kind=RunKind.FOLLOWERS)
    try:
        connection = ChannelConnection.objects.get(channel=channel, status=ConnectionStatus.CONNECTED)
        if connection.access_expires_at and connection.access_expires_at - REFRESH_MARGIN < now:
            connection = refresh_tokens(connection, now=now)
        client = _client(connection)
        try:
            user = client.user_info()
            on_tiktok = list(client.all_videos()) if "video.list" in connection.scopes.split(",") else None
        finally:
            run.requests_made = client.requests_made
            client.close()
        FollowerSnapshot.objects.update_or_create(
            channel=channel,
            day=timezone.localdate(now, channel.organisation.zone),
            defaults={"followers": _follower_count(user)},
        )
        if on_tiktok is not None:
            _note_unrecorded_videos(connection, on_tiktok, now)
        run.snapshots_written, run.status = 1, PullStatus.SUCCEEDED
        return run
    except (TikTokError, ChannelConnection.DoesNotExist) as error:
        run.status, run.error = PullStatus.FAILED, str(error)
        raise
    except Exception as error:
        run.status = PullStatus.FAILED
        run.error = f"unexpected_error: {type(error).__name__}: {error}"[:2000]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()

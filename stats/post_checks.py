"""Checking the live post against its approval, and the follow-ups a check raises.

When the agency records a post, and again after the first stats pull, a job asks TikTok's Display API for the
video (``TikTokClient.video_details``) and compares it with what was approved (``stats.postcheck.compare``): the
caption, the disclosure at its start, the duration, posted after the approval and on the slot's day. Each check is
kept (``PostCheck``); a difference becomes a follow-up for team social and an audit event. A check that could not be
made is kept as failed and made again by the next sweep. What is burned into the picture can't be checked here: the
reviewer ticked it at the approval.

Videos on the channel that no posting records were not approved here: they become "posted without approval"
follow-ups (after a day's grace, as the agency may record a post a little after it went live).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext, override

from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin
from content import publication
from content.models import FollowUp, FollowUpKind, Posting, PublicationRules

from . import postcheck
from .client import TikTokError
from .models import ChannelConnection, CheckOutcome, ConnectionStatus, PostCheck

CHECK_DAYS = 30  # posts older than this are not checked by themselves: a check is about the hand-over
FOLLOW_UP_DAYS = 1  # team social looks into a difference within a day
UNRECORDED_GRACE = timedelta(days=1)
ORIGIN = "post-check"


def approved_of(posting: Posting) -> postcheck.Approved:
    """What was approved for ``posting``, as the comparison reads it."""
    video, brief = posting.video_version, posting.brief
    rules = PublicationRules.of(brief.organisation)
    zone = brief.organisation.zone
    run = video.approval_run
    return postcheck.Approved(
        caption=video.full_caption,
        disclosure=rules.disclosure_text if publication.disclosure_required(video, rules) else "",
        duration=video.duration,
        approved_at=run.finished_at or run.started_at,
        slot_day=posting.planned_for.astimezone(zone).date() if posting.planned_for else None,
        zone=zone,
        tolerance_days=rules.post_day_tolerance,
    )


def check_posting(posting: Posting, *, now: datetime, trigger: str) -> PostCheck:
    """Ask TikTok for the posted video and compare it with its approval. A TikTok fault is kept as a failed check
    and raised (the task retries a passing one)."""
    from .services import _connected, _Session  # the pull's session: token refresh included

    try:
        session = _Session(_connected(posting.brief.channel), now)
        try:
            videos = session.ask(lambda client: client.video_details([posting.tiktok_video_id]))
        finally:
            session.close()
    except TikTokError as error:
        record(posting, None, now=now, trigger=trigger, error=str(error))
        raise
    video = next((video for video in videos if str(video.get("id")) == posting.tiktok_video_id), None)
    if video is None:
        return record(
            posting,
            None,
            now=now,
            trigger=trigger,
            error="not_found: TikTok does not show this video (deleted or private)",
        )
    return record(posting, postcheck.live_from_api(video), now=now, trigger=trigger)


@transaction.atomic
def record(posting: Posting, live: postcheck.Live | None, *, now: datetime, trigger: str, error: str = "") -> PostCheck:
    """Keep the outcome of one check (``live``: what TikTok showed, None when it could not be asked) and raise a
    follow-up for a difference."""
    differences = postcheck.compare(approved_of(posting), live) if live is not None else []
    if differences and all(difference.code == "unreadable" for difference in differences):
        # TikTok's answer lacked what is compared: nothing is known to differ; the sweep asks again.
        error, differences, live = "unreadable: " + differences[0].expected, [], None
    outcome = CheckOutcome.FAILED if live is None else CheckOutcome.DIFFERS if differences else CheckOutcome.MATCHES
    last = PostCheck.objects.filter(posting=posting).order_by("-checked_at", "-pk").first()
    if outcome == CheckOutcome.FAILED and last is not None and last.outcome == CheckOutcome.FAILED:
        # TikTok still can't be asked: the failed check says when it was last tried, rather than a row and an audit
        # event every hour for as long as the fault lasts.
        last.checked_at, last.trigger, last.error = now, trigger, error[:500]
        last.save(update_fields=["checked_at", "trigger", "error"])
        return last
    check = PostCheck.objects.create(
        posting=posting,
        checked_at=now,
        trigger=trigger,
        outcome=outcome,
        live_caption=(live.caption or "") if live else "",
        live_duration=live.duration if live else None,
        live_created_at=live.create_time if live else None,
        share_url=live.share_url if live else "",
        differences=[asdict(difference) for difference in differences],
        error=error[:500],
    )
    brief = posting.brief
    trail.record_about(
        brief,
        actor=None,
        action=AuditAction.POST_CHECKED,
        obj=check,
        origin=Origin.system(ORIGIN),
        outcome=outcome,
        trigger=trigger,
        error=error[:200] or None,
    )
    if differences:
        codes = [difference.code for difference in differences]
        follow_up, created = FollowUp.objects.update_or_create(
            kind=FollowUpKind.POST_DIFFERS,
            posting=posting,
            done_at=None,
            defaults={"details": check.differences},
            create_defaults={
                "details": check.differences,
                "organisation_id": brief.organisation_id,
                "brief": brief,
                "channel_id": brief.channel_id,
                "tiktok_video_id": posting.tiktok_video_id,
                "created_at": now,
                "due_at": now + timedelta(days=FOLLOW_UP_DAYS),
            },
        )
        trail.record_about(
            brief,
            actor=None,
            action=AuditAction.POST_DIFFERS,
            obj=follow_up,
            origin=Origin.system(ORIGIN),
            differences=codes,
            video_id=posting.tiktok_video_id,
            new=created,
        )
    return check


def latest_checks(postings) -> dict[int, PostCheck]:
    """The newest check of each posting, in one query."""
    latest = {}
    for check in PostCheck.objects.filter(posting__in=postings).order_by("posting_id", "-checked_at", "-pk"):
        latest.setdefault(check.posting_id, check)
    return latest


def due_for_another_check(*, now: datetime):
    """Recent posts whose last check failed, or that were never checked (the queue lost the job)."""
    # Only where TikTok can be asked: a channel not connected would fail the check again each hour.
    recent = Posting.objects.filter(
        posted_at__gte=now - timedelta(days=CHECK_DAYS),
        brief__channel__tiktok_connection__status=ConnectionStatus.CONNECTED,
    )
    latest = latest_checks(recent)
    return [
        posting for posting in recent if posting.pk not in latest or latest[posting.pk].outcome == CheckOutcome.FAILED
    ]


def due_after_first_pull(channel, *, now: datetime):
    """Recent posts of ``channel`` that have figures but no check after their first pull yet."""
    return list(
        Posting.objects.filter(
            brief__channel=channel, posted_at__gte=now - timedelta(days=CHECK_DAYS), snapshots__isnull=False
        )
        .exclude(checks__trigger="first_pull")
        .distinct()
    )


def note_posted_without_approval(connection: ChannelConnection, unrecorded: list[dict], now: datetime) -> int:
    """Videos on the channel that no posting records, posted since the channel was connected and more than a day
    ago: each an open follow-up (once), on record."""
    since = connection.connected_at or now
    made = 0
    for video in unrecorded:
        posted = datetime.fromtimestamp(int(video.get("create_time") or 0), tz=UTC)
        if not since <= posted <= now - UNRECORDED_GRACE:
            continue
        follow_up, created = FollowUp.objects.get_or_create(
            kind=FollowUpKind.POSTED_WITHOUT_APPROVAL,
            channel_id=connection.channel_id,
            tiktok_video_id=video["id"],
            done_at=None,
            defaults={
                "organisation_id": connection.channel.organisation_id,
                "details": [{"id": video["id"], "title": video.get("title", ""), "posted_at": posted.isoformat()}],
                "created_at": now,
                "due_at": now + timedelta(days=FOLLOW_UP_DAYS),
            },
        )
        if created:
            made += 1
            trail.record(
                organisation=connection.channel.organisation,
                actor=None,
                action=AuditAction.POSTED_WITHOUT_APPROVAL,
                obj=follow_up,
                origin=Origin.system(ORIGIN),
                details={"video_id": video["id"], "channel": connection.channel.handle},
            )
    return made


def recorded_after_all(*, posting, actor, origin=None, **_ignored) -> None:
    """The ``brief_posted`` hook: a video flagged as posted without approval that the agency now records is
    accounted for; and the new post is checked once the recording is committed."""
    with override(posting.brief.organisation.language):  # the note is the organisation's record, in its language
        note = gettext("Recorded by the agency as the post of %(reference)s.") % {"reference": posting.brief.reference}
    FollowUp.objects.filter(
        kind=FollowUpKind.POSTED_WITHOUT_APPROVAL, tiktok_video_id=posting.tiktok_video_id, done_at__isnull=True
    ).update(done_at=posting.recorded_at, done_by=actor, note=note)
    from .tasks import check_post

    transaction.on_commit(lambda: check_post.delay(posting.pk, "recorded"))

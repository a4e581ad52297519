"""What the calendar does when a hand-over happens elsewhere: a video approved (it takes its reservation), a video
posted (the calendar shows it where it went live), and when a brief is planned (for content's pages and mails).
Content and approvals call these through ``core.hooks`` (``content.planning``), inside their own transaction and
after their own check of the actor: the actor here is only who is on record.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from audit.actions import AuditAction
from audit.trail import Origin
from content.models import Brief

from . import days
from .models import Slot
from .services import _event


def reservation_fill(*, brief: Brief, video, actor, now: datetime, origin: Origin | None = None) -> Slot | None:
    """The brief's video has just been approved: it takes the slot reserved for the brief, if that still lies
    ahead (a reservation that has passed stays for team social to move). Called by the approval, in its
    transaction; on record as the approver's act, from the approval."""
    slot = Slot.objects.select_for_update().filter(brief=brief, starts_at__gt=now).first()
    if slot is None:
        return None
    Slot.objects.filter(pk=slot.pk).update(video_version=video)
    slot.refresh_from_db()
    _event(actor, AuditAction.SLOT_SCHEDULED, slot, origin or Origin.system("approval"), video=video.number)
    return slot


def reservation_unfill(*, brief: Brief, actor, origin: Origin | None = None) -> Slot | None:
    """A new version is delivered after the approval (a changed caption, say): until it is approved again, the
    brief's slot holds a reservation, not a video ready to post (and is at risk if the approval doesn't come)."""
    slot = Slot.objects.select_for_update().filter(brief=brief, video_version__isnull=False).first()
    if slot is None:
        return None
    Slot.objects.filter(pk=slot.pk).update(video_version=None)
    slot.refresh_from_db()
    _event(actor, AuditAction.SLOT_RESERVED, slot, origin or Origin.system("approval"), reopened=True)
    return slot


def follow_posting(*, posting, actor, origin: Origin | None = None) -> Slot:
    """The video is posted: the calendar shows it where it went live. A slot on the posting's local day (the
    brief's own, else a free one) takes it; failing that an extra slot at the posting time does. A slot reserved
    on another day is freed for another brief."""
    brief = posting.brief
    zone = brief.organisation.zone
    day = posting.posted_at.astimezone(zone).date()
    own = Slot.objects.select_for_update().filter(brief=brief).first()
    if own is not None:
        # Where it was planned, before the calendar follows the post: the post check compares the two.
        type(posting).objects.filter(pk=posting.pk).update(planned_for=own.starts_at)
        posting.planned_for = own.starts_at
    if own is not None and own.starts_at.astimezone(zone).date() == day:
        Slot.objects.filter(pk=own.pk).update(video_version=posting.video_version)
        own.refresh_from_db()
        return own
    if own is not None:
        Slot.objects.filter(pk=own.pk).update(brief=None, video_version=None)
    begin = days.local_datetime(day, time.min, brief.organisation.time_zone)
    free = (
        Slot.objects.select_for_update()
        .filter(
            channel=brief.channel,
            starts_at__gte=begin,
            starts_at__lt=begin + timedelta(days=1),
            brief__isnull=True,
            video_version__isnull=True,
        )
        .order_by("starts_at")
        .first()
    )
    if free is not None:
        Slot.objects.filter(pk=free.pk).update(brief=brief, video_version=posting.video_version)
        slot = Slot.objects.get(pk=free.pk)
    else:
        starts_at = posting.posted_at.replace(second=0, microsecond=0)
        while Slot.objects.filter(channel=brief.channel, starts_at=starts_at).exists():
            starts_at += timedelta(minutes=1)  # another slot holds this very minute (and is taken)
        slot = Slot.objects.create(
            channel=brief.channel, starts_at=starts_at, brief=brief, video_version=posting.video_version
        )
    _event(
        actor,
        AuditAction.SLOT_FOLLOWED_POSTING,
        slot,
        origin or Origin.system("posting"),
        moved_from=own.starts_at.isoformat() if own is not None else None,
    )
    return slot


def planned_postings(brief_ids) -> dict[int, datetime]:
    """``content.planning`` asks: the start of each brief's slot."""
    return dict(Slot.objects.filter(brief_id__in=brief_ids).values_list("brief_id", "starts_at"))

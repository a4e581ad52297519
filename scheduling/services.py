"""Writes to the posting calendar. Every function names its actor, checks that the actor may plan the
calendar (``access.require``), and writes an audit event.

The moment "now" is an argument (``now=``, passed by the view or task): which slots lie in the past, and
so may no longer change, depends on it, and tests must be able to say when they run.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin
from content.models import Brief, BriefStatus
from core import dates

from . import days, notifications
from .models import Cadence, CadenceTime, FeedToken, Slot

GENERATION_WEEKS = 26  # half a year ahead: the seeds' 52 videos in six months


def _event(actor, action: str, slot: Slot, origin: Origin | None, **details):
    return trail.record(
        organisation=slot.channel.organisation,
        actor=actor,
        action=action,
        obj=slot,
        subject=slot.brief,
        origin=origin,
        details={"starts_at": slot.starts_at.isoformat(), **details},
    )


@transaction.atomic
def cadence_save(
    *,
    actor,
    channel,
    weekdays: list[int],
    local_time: time,
    min_posts_per_week: int,
    valid_from: date,
    valid_until: date | None = None,
    now: datetime,
    origin: Origin | None = None,
) -> Cadence:
    """Set the channel's cadence and regenerate its future empty slots to match."""
    require_in(actor, channel.organisation_id, Capability.PLAN_CALENDAR)
    if not weekdays:
        raise ValidationError(_("Choose at least one posting day."), code="no_days")
    if valid_until and valid_until < valid_from:
        raise ValidationError(_("The cadence ends before it starts."), code="period")
    cadence = _current_cadence(channel, valid_from)
    if cadence is not None and cadence.valid_from < valid_from:
        # The old rhythm held until now: close it (its past slots stay with it) and start a new one.
        cadence.valid_until = valid_from - timedelta(days=1)
        cadence.save(update_fields=["valid_until"])
        _drop_future_empty_slots(cadence, now)
        cadence = None
    cadence = cadence or Cadence(channel=channel)
    cadence.min_posts_per_week = min_posts_per_week
    cadence.valid_from = valid_from
    cadence.valid_until = valid_until
    cadence.full_clean()
    cadence.save()
    cadence.times.all().delete()
    CadenceTime.objects.bulk_create(
        CadenceTime(cadence=cadence, weekday=day, local_time=local_time) for day in sorted(set(weekdays))
    )
    moved = _drop_future_empty_slots(cadence, now)
    created = slots_generate(cadence=cadence, now=now)
    trail.record(
        organisation=channel.organisation,
        actor=actor,
        action=AuditAction.CADENCE_SAVED,
        obj=cadence,
        origin=origin,
        details={
            "weekdays": sorted(set(weekdays)),
            "time": local_time.strftime("%H:%M"),
            "minimum": min_posts_per_week,
            "slots_removed": moved,
            "slots_created": created,
        },
    )
    return cadence


def _current_cadence(channel, on: date) -> Cadence | None:
    """The cadence in force on ``on`` or later (open-ended or ending after it), newest first."""
    return channel.cadences.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)).order_by("-valid_from").first()


def _drop_future_empty_slots(cadence: Cadence, now: datetime) -> int:
    """Changing the cadence moves only future, empty slots: planned or posted ones stay put."""
    deleted, _ = Slot.objects.filter(
        cadence=cadence, starts_at__gt=now, brief__isnull=True, video_version__isnull=True
    ).delete()
    return deleted


def slots_generate(*, cadence: Cadence, now: datetime, weeks: int = GENERATION_WEEKS) -> int:
    """Create the cadence's slots after ``now`` for ``weeks`` weeks; running it again creates nothing new."""
    zone = cadence.channel.organisation.time_zone
    today = now.astimezone(ZoneInfo(zone)).date()
    start = max(cadence.valid_from, today)
    end = start + timedelta(weeks=weeks) - timedelta(days=1)
    if cadence.valid_until:
        end = min(end, cadence.valid_until)
    times = list(cadence.times.all())
    wanted = []
    day = start
    while day <= end:
        for slot_time in times:
            if slot_time.weekday == day.weekday():
                starts_at = days.local_datetime(day, slot_time.local_time, zone)
                if starts_at > now:
                    wanted.append(Slot(channel=cadence.channel, cadence=cadence, starts_at=starts_at))
        day += timedelta(days=1)
    before = Slot.objects.filter(channel=cadence.channel).count()
    # The unique key (channel, starts_at) makes this idempotent, also when two jobs run at once.
    Slot.objects.bulk_create(wanted, ignore_conflicts=True)
    return Slot.objects.filter(channel=cadence.channel).count() - before


@transaction.atomic
def slot_add(*, actor, channel, starts_at, now: datetime, origin: Origin | None = None) -> Slot:
    """An extra slot outside the cadence, e.g. for an urgent corona message."""
    require_in(actor, channel.organisation_id, Capability.PLAN_CALENDAR)
    if starts_at <= now:
        raise ValidationError(_("A slot can't be in the past."), code="past")
    try:
        with transaction.atomic():
            slot = Slot.objects.create(channel=channel, starts_at=starts_at)
    except IntegrityError:
        raise ValidationError(_("There is already a slot at this time."), code="taken") from None
    _event(actor, AuditAction.SLOT_ADDED, slot, origin)
    return slot


def _check_future(slot: Slot, now: datetime) -> None:
    if slot.starts_at <= now:
        raise ValidationError(_("This slot lies in the past; choose a slot ahead."), code="past")


def _check_not_posted(slot: Slot) -> None:
    if slot.brief is not None and slot.brief.status == BriefStatus.POSTED:
        raise ValidationError(
            _("This video has been posted: its slot follows the posting and can't be changed."), code="posted"
        )


def outside_window(brief: Brief, slot: Slot) -> bool:
    """Whether ``slot`` falls outside the posting window the adviser gave the brief (on the local date)."""
    day = slot.starts_at.astimezone(slot.channel.organisation.zone).date()
    start, end = brief.posting_window_start, brief.posting_window_end
    return bool((start and day < start) or (end and day > end))


def _check_window(brief: Brief, slot: Slot, reason: str) -> dict:
    """A slot outside the brief's posting window takes an explicit reason (kept in the audit trail)."""
    if not outside_window(brief, slot):
        return {}
    if not reason.strip():
        raise ValidationError(
            _(
                "This slot lies outside the brief's posting window (from %(start)s to %(end)s). Give the reason to "
                "schedule it there anyway."
            )
            % {
                "start": dates.moment(brief.posting_window_start, "date") or "…",
                "end": dates.moment(brief.posting_window_end, "date") or "…",
            },
            code="outside_window",
        )
    return {"outside_window": reason.strip()}


def approved_video(brief: Brief):
    """The brief's approved video, if its approval is finished and it has not been posted yet."""
    if brief.status != BriefStatus.READY_TO_POST:
        return None
    return brief.approved_video


@transaction.atomic
def slot_fill(
    *, actor, slot: Slot, brief: Brief, now: datetime, window_reason: str = "", origin: Origin | None = None
) -> Slot:
    """Put ``brief`` in ``slot``: its approved video if there is one, else a reservation that will be
    flagged "at risk" if no approved video arrives in time (and is filled once the video is approved). A slot
    outside the brief's posting window takes ``window_reason``."""
    require_in(actor, slot.channel.organisation_id, Capability.PLAN_CALENDAR)
    _check_future(slot, now)
    if brief.channel_id != slot.channel_id:
        raise ValidationError(_("This brief is for another channel."), code="channel")
    if brief.status in (BriefStatus.POSTED, BriefStatus.CANCELLED):
        raise ValidationError(_("This brief is posted or cancelled already."), code="closed")
    window = _check_window(brief, slot, window_reason)
    video = approved_video(brief)
    try:
        with transaction.atomic():
            # Conditional update: only an empty slot (or one reserved for this same brief) takes it.
            filled = (
                Slot.objects.filter(pk=slot.pk)
                .filter(Q(brief__isnull=True) | Q(brief=brief), video_version__isnull=True)
                .update(brief=brief, video_version=video)
            )
    except IntegrityError:
        raise ValidationError(
            _("This brief is already in another slot; move it from there."), code="elsewhere"
        ) from None
    if filled != 1:
        raise ValidationError(_("This slot already holds another brief or video."), code="taken")
    slot.refresh_from_db()
    action = AuditAction.SLOT_SCHEDULED if video else AuditAction.SLOT_RESERVED
    event = _event(actor, action, slot, origin, video=video.number if video else None, **window)
    if video:
        notifications.posting_planned(slot, actor=actor, event=event)
    return slot


@transaction.atomic
def slot_attach_approved_video(*, actor, slot: Slot, now: datetime, origin: Origin | None = None) -> Slot:
    """The reserved brief's video has been approved since: put it in its slot."""
    require_in(actor, slot.channel.organisation_id, Capability.PLAN_CALENDAR)
    video = approved_video(slot.brief) if slot.brief else None
    if video is None:
        raise ValidationError(_("Only a video whose approval is finished can be put in a slot."), code="unapproved")
    _check_future(slot, now)
    Slot.objects.filter(pk=slot.pk, video_version__isnull=True).update(video_version=video)
    slot.refresh_from_db()
    _event(actor, AuditAction.SLOT_SCHEDULED, slot, origin, video=video.number)
    return slot


@transaction.atomic
def slot_clear(*, actor, slot: Slot, now: datetime, origin: Origin | None = None) -> Slot:
    require_in(actor, slot.channel.organisation_id, Capability.PLAN_CALENDAR)
    _check_future(slot, now)
    _check_not_posted(slot)
    brief = slot.brief
    Slot.objects.filter(pk=slot.pk).update(brief=None, video_version=None)
    _event(actor, AuditAction.SLOT_UNSCHEDULED, slot, origin, brief=brief.reference if brief else None)
    slot.refresh_from_db()
    return slot


@transaction.atomic
def slot_move(
    *, actor, slot: Slot, target: Slot, now: datetime, window_reason: str = "", origin: Origin | None = None
) -> Slot:
    """Reschedule: move the brief (and video) from ``slot`` to the empty, future ``target`` (outside the brief's
    posting window only with ``window_reason``)."""
    require_in(actor, slot.channel.organisation_id, Capability.PLAN_CALENDAR)
    _check_future(slot, now)
    _check_future(target, now)
    if target.channel_id != slot.channel_id:
        raise ValidationError(_("Choose a slot of the same channel."), code="channel")
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    if slot.brief_id is None:
        raise ValidationError(_("This slot is empty; there is nothing to move."), code="empty")
    _check_not_posted(slot)
    window = _check_window(slot.brief, target, window_reason)
    brief, video = slot.brief, slot.video_version
    Slot.objects.filter(pk=slot.pk).update(brief=None, video_version=None)
    taken = Slot.objects.filter(pk=target.pk, brief__isnull=True, video_version__isnull=True).update(
        brief=brief, video_version=video
    )
    if taken != 1:
        raise ValidationError(_("That slot is not free any more."), code="taken")
    target.refresh_from_db()
    event = _event(actor, AuditAction.SLOT_RESCHEDULED, target, origin, moved_from=slot.starts_at.isoformat(), **window)
    if video is not None:
        notifications.posting_planned(target, actor=actor, event=event)
    return target


@transaction.atomic
def feed_token_regenerate(*, actor, channel, origin: Origin | None = None) -> FeedToken:
    """A new secret address; the old one stops working at once."""
    require_in(actor, channel.organisation_id, Capability.PLAN_CALENDAR)
    FeedToken.objects.filter(channel=channel, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = FeedToken.objects.create(channel=channel, created_by=actor)
    trail.record(
        organisation=channel.organisation, actor=actor, action=AuditAction.FEED_REGENERATED, obj=channel, origin=origin
    )
    return token


@transaction.atomic
def feed_token_revoke(*, actor, channel, origin: Origin | None = None) -> None:
    require_in(actor, channel.organisation_id, Capability.PLAN_CALENDAR)
    FeedToken.objects.filter(channel=channel, revoked_at__isnull=True).update(revoked_at=timezone.now())
    trail.record(
        organisation=channel.organisation, actor=actor, action=AuditAction.FEED_REVOKED, obj=channel, origin=origin
    )


def feed_tokens_of_leaver_revoke(user, organisation=None) -> int:
    """A calendar address dies with its maker's access (they may have it in a private calendar): revoke the
    addresses ``user`` made, in ``organisation`` (None: everywhere), each on record as done by the system."""
    tokens = FeedToken.objects.filter(created_by=user, revoked_at__isnull=True).select_related("channel__organisation")
    if organisation is not None:
        tokens = tokens.filter(channel__organisation=organisation)
    revoked = 0
    for token in tokens:
        with transaction.atomic():
            FeedToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
            trail.record(
                organisation=token.channel.organisation,
                actor=None,
                action=AuditAction.FEED_REVOKED,
                obj=token.channel,
                origin=Origin.system("access-ended"),
                details={"made_by_leaver": user.pk},
            )
        revoked += 1
    return revoked

"""Demo calendar: the ministry's pilot posts in their past slots, its posts of the last weeks in theirs,
and 26 weeks ahead with an approved video scheduled, briefs still in the making reserved (one of them
close enough to be at risk), and empty slots. Nykvarn gets the same cadence. Runs once per channel;
later runs only keep the slots 26 weeks ahead, so a demo made weeks ago still has a calendar."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from content.models import Brief, BriefStatus
from scheduling import days, services
from scheduling.models import Cadence, CadenceTime, Slot

TUESDAY, THURSDAY = 1, 3


def _cadence(channel, valid_from: date, valid_until: date | None) -> Cadence:
    cadence = Cadence.objects.create(
        channel=channel, min_posts_per_week=2, valid_from=valid_from, valid_until=valid_until
    )
    CadenceTime.objects.bulk_create(
        CadenceTime(cadence=cadence, weekday=day, local_time=time(16)) for day in (TUESDAY, THURSDAY)
    )
    return cadence


def _history(cadence, posted_briefs) -> None:
    """Posts made before the demo existed: recording each made its slot at the posting time (the calendar follows
    the posting); those slots were the cadence's of that time."""
    Slot.objects.filter(brief__in=posted_briefs).update(cadence=cadence)


@transaction.atomic
def seed_demo_calendar(*, now: datetime) -> None:
    for slug in ("vws", "nykvarn"):
        organisation = Organisation.objects.get(slug=slug)
        channel = organisation.channels.order_by("pk").first()
        if channel.cadences.exists():
            # Made on an earlier day: keep the open cadence's slots 26 weeks ahead of today.
            for cadence in channel.cadences.filter(valid_until__isnull=True):
                services.slots_generate(cadence=cadence, now=now)
            continue
        _seed_channel(organisation, channel, now)


def _seed_channel(organisation, channel, now: datetime) -> None:
    social = User.objects.get(username=f"{organisation.slug}-social")
    today = timezone.localdate(now, organisation.zone)
    posted = Brief.objects.filter(channel=channel, status=BriefStatus.POSTED).select_related("posting__video_version")
    recent = [brief for brief in posted if brief.posting.posted_at > now - timedelta(weeks=4)]
    if organisation.slug == "vws":
        pilot = _cadence(channel, date(2020, 11, 9), date(2021, 3, 31))
        _history(pilot, [brief for brief in posted if brief not in recent])
    # Today's cadence began in the week of the first recent post (or today, without one).
    first = min((timezone.localdate(b.posting.posted_at, organisation.zone) for b in recent), default=today)
    services.cadence_save(
        actor=social,
        channel=channel,
        weekdays=[TUESDAY, THURSDAY],
        local_time=time(16),
        min_posts_per_week=2,
        valid_from=days.iso_week_start(first),
        now=now,
    )
    if recent:
        _history(channel.cadences.get(valid_until__isnull=True), recent)
    upcoming = list(channel.slots.filter(starts_at__gt=now).order_by("starts_at"))
    open_briefs = Brief.objects.filter(channel=channel)
    plan = [
        # (slot index, brief status wanted): the first slot is reserved for a video still in review,
        # close enough to be at risk; the approved one goes into the following week.
        (0, BriefStatus.IN_PRODUCTION),
        (2, BriefStatus.READY_TO_POST),
        (5, BriefStatus.SENT_TO_AGENCY),
    ]
    for index, status in plan:
        brief = open_briefs.filter(status=status, slot__isnull=True).order_by("pk").first()
        if brief is not None and index < len(upcoming):
            services.slot_fill(
                actor=social,
                slot=upcoming[index],
                brief=brief,
                now=now,
                window_reason="The demo plans it in the first weeks, whatever its window",
            )

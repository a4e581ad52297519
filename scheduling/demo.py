"""Demo calendar: the ministry's pilot posts in their past slots, and 26 weeks ahead with an approved
video scheduled, briefs still in the making reserved (one of them close enough to be at risk), and
empty slots. Nykvarn gets the same cadence. Runs once per channel."""

from datetime import date, time

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from content.models import Brief, BriefStatus

from . import services
from .models import Cadence, CadenceTime, Slot

TUESDAY, THURSDAY = 1, 3


def _history(channel, posted_briefs) -> None:
    """The pilot happened before the planner existed: its slots are imported as history, so the
    services' "not in the past" rule does not apply here."""
    cadence = Cadence.objects.create(
        channel=channel, min_posts_per_week=2, valid_from=date(2020, 11, 9), valid_until=date(2021, 3, 31)
    )
    CadenceTime.objects.bulk_create(
        CadenceTime(cadence=cadence, weekday=day, local_time=time(16)) for day in (TUESDAY, THURSDAY)
    )
    for brief in posted_briefs:
        posting = brief.posting
        Slot.objects.create(
            channel=channel,
            cadence=cadence,
            starts_at=posting.posted_at,
            brief=brief,
            video_version=posting.video_version,
        )


@transaction.atomic
def seed_demo_calendar(today: date | None = None) -> None:
    for slug in ("vws", "nykvarn"):
        organisation = Organisation.objects.get(slug=slug)
        social = User.objects.get(username=f"{slug}-social")
        channel = organisation.channels.order_by("pk").first()
        if channel.slots.exists():
            continue
        posted = list(Brief.objects.filter(channel=channel, status=BriefStatus.POSTED).select_related("posting"))
        if slug == "vws":
            _history(channel, posted)
        start = today or date.today()
        services.cadence_save(
            actor=social,
            channel=channel,
            weekdays=[TUESDAY, THURSDAY],
            local_time=time(16),
            min_posts_per_week=2,
            valid_from=start,
        )
        upcoming = list(channel.slots.filter(starts_at__gt=timezone.now()).order_by("starts_at"))
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
                services.slot_fill(actor=social, slot=upcoming[index], brief=brief)

"""Channel health: does each ISO week reach the minimum number of posts, and which slots are at risk.

A week counts what was posted in it plus the approved videos scheduled in it. A slot is at risk when
no approved video is in it N working days before (N per organisation; weekends and public holidays
don't count as working days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from content.models import Posting

from . import days
from .models import Cadence, Slot

# Before the first cadence (or between cadences) no minimum applies: such a week is not flagged.
NO_MINIMUM = 0


@dataclass
class WeekHealth:
    start: date
    posted: int
    scheduled: int
    minimum: int
    slots: list = field(default_factory=list)

    @property
    def iso(self) -> tuple[int, int]:
        year, week, _ = self.start.isocalendar()
        return year, week

    @property
    def count(self) -> int:
        return self.posted + self.scheduled

    @property
    def healthy(self) -> bool:
        return self.count >= self.minimum


def _minimum_for(week_start: date, cadences: list[Cadence]) -> int:
    for cadence in cadences:  # newest first
        if cadence.valid_from <= week_start + timedelta(days=6) and (
            cadence.valid_until is None or cadence.valid_until >= week_start
        ):
            return cadence.min_posts_per_week
    return NO_MINIMUM


def channel_weeks(channel, start: date, weeks: int) -> list[WeekHealth]:
    """Health per ISO week from the week holding ``start``, for ``weeks`` weeks (three queries)."""
    zone = ZoneInfo(channel.organisation.time_zone)
    first = days.iso_week_start(start)
    begin = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = begin + timedelta(weeks=weeks)
    cadences = list(channel.cadences.order_by("-valid_from"))
    slots = list(
        Slot.objects.filter(channel=channel, starts_at__gte=begin, starts_at__lt=end)
        .select_related("brief", "video_version")
        .order_by("starts_at")
    )
    posted_at = list(
        Posting.objects.filter(brief__channel=channel, posted_at__gte=begin, posted_at__lt=end).values_list(
            "posted_at", flat=True
        )
    )
    by_week: dict[date, WeekHealth] = {}
    for n in range(weeks):
        week_start = first + timedelta(weeks=n)
        by_week[week_start] = WeekHealth(week_start, 0, 0, _minimum_for(week_start, cadences))
    for moment in posted_at:
        by_week[days.iso_week_start(moment.astimezone(zone).date())].posted += 1
    for slot in slots:
        week = by_week[days.iso_week_start(slot.starts_at.astimezone(zone).date())]
        week.slots.append(slot)
        if slot.video_version_id and slot.brief and not slot.brief.is_posted:
            week.scheduled += 1
    return list(by_week.values())


def slot_at_risk(slot: Slot, *, today: date, working_days: int, country: str, zone: str) -> bool:
    """No approved video in a future slot, and its deadline (N working days before) has come."""
    if slot.video_version_id:
        return False
    slot_day = slot.starts_at.astimezone(ZoneInfo(zone)).date()
    if slot_day < today:
        return False
    return today >= days.working_days_before(slot_day, working_days, country)


def at_risk(slots, organisation, *, today: date) -> set[int]:
    """The slots among ``slots`` that are at risk on ``today`` (the organisation's local date)."""
    zone = organisation.time_zone
    return {
        slot.pk
        for slot in slots
        if slot_at_risk(
            slot,
            today=today,
            working_days=organisation.at_risk_working_days,
            country=organisation.country,
            zone=zone,
        )
    }


def summary(channel, *, today: date, weeks: int = 4) -> dict:
    """For the home page and the daily mail: the coming weeks from ``today`` (the organisation's local
    date), the weak ones, the slots at risk."""
    coming = channel_weeks(channel, today, weeks)
    slots = [slot for week in coming for slot in week.slots]
    risky = at_risk(slots, channel.organisation, today=today)
    weak = [week for week in coming if not week.healthy]
    return {"channel": channel, "weeks": coming, "weak_weeks": weak, "at_risk": risky}

"""The channel's posting calendar as iCalendar (RFC 5545), for Outlook or Google Calendar.

One VEVENT per slot, with the slot's stable UID, and DTSTART in the organisation's zone (with its
VTIMEZONE), so a subscribed calendar shows 16:00 on both sides of a DST change.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Slot

EVENT_LENGTH = timedelta(minutes=15)


def _summary(slot: Slot) -> str:
    if slot.brief is None:
        return _("TikTok slot (empty)")
    if slot.brief.is_posted:
        return _("TikTok: %(title)s (posted)") % {"title": slot.brief.title}
    if slot.video_version_id:
        return _("TikTok: %(title)s (approved video)") % {"title": slot.brief.title}
    return _("TikTok: %(title)s (%(status)s)") % {"title": slot.brief.title, "status": slot.brief.get_status_display()}


def build(channel, slots, *, now) -> bytes:
    """The feed as of ``now`` (each event's DTSTAMP: when this copy of it was made)."""
    organisation = channel.organisation
    zone = ZoneInfo(organisation.time_zone)
    calendar = Calendar()
    calendar.add("prodid", "-//TikTok Planner//Posting calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"TikTok @{channel.handle}")
    calendar.add("x-wr-timezone", organisation.time_zone)
    with translation.override(organisation.language):
        for slot in slots:
            event = Event()
            event.add("uid", f"{slot.uid}@tiktokplanner")
            event.add("dtstamp", now)
            start = slot.starts_at.astimezone(zone)
            event.add("dtstart", start)
            event.add("dtend", start + EVENT_LENGTH)
            event.add("summary", _summary(slot))
            event.add("status", "CONFIRMED" if slot.video_version_id else "TENTATIVE")
            if slot.brief_id:
                event.add("url", settings.SITE_URL.rstrip("/") + reverse("brief_detail", args=[slot.brief_id]))
            calendar.add_component(event)
    # icalendar writes the VTIMEZONE blocks that the TZID parameters refer to.
    calendar.add_missing_timezones()
    return calendar.to_ical()

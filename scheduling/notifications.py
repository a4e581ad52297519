"""Mails of the posting calendar, through the outbox: the agency hears when an approved video is to be posted
(scheduled in a slot, or moved to another one), so that it never has to guess the date."""

from __future__ import annotations

from content.notifications import agency_people, brief_url
from core import outbox


def posting_planned(slot, *, actor, event) -> int:
    """The agency's people post the approved video at the slot's time."""
    brief = slot.brief
    return outbox.send_each(
        agency_people(brief),
        leave_out=actor,
        key=f"calendar.planned:{event.pk}",
        kind="calendar.planned",
        template="scheduling/email/planned",
        context={"brief": brief, "slot": slot, "url": brief_url(brief)},
        organisation=brief.organisation,
        details={"brief": brief.pk, "slot": slot.pk},
    )

"""Scheduling is part of posting: the agency hears when to post (inbox, brief page, mail), the posting form proposes
the slot, an approved video takes its reservation by itself, a post reconciles the calendar with the day it went
live, and a slot outside the brief's posting window needs a reason."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import ics
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Membership
from approvals import inbox
from audit.models import AuditEvent
from content import services as content
from core.models import OutgoingMail
from scheduling import health, services
from scheduling.models import Slot
from tests.workflow import approve_all, brief_with_agency, deliver_script, deliver_video_file
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(day: date, hour=16) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=AMSTERDAM)


@pytest.fixture
def calendar(world, settings, tmp_path, frozen):
    """Tuesdays and Thursdays at 16:00 from Tuesday 24 November 2026 (the clock stands at STAGED_AT, that morning);
    the test briefs' posting window is 1 to 15 December."""
    settings.MEDIA_ROOT = tmp_path
    services.cadence_save(
        actor=world.people["team_social"],
        channel=world.channel,
        weekdays=[1, 3],
        local_time=time(16),
        min_posts_per_week=2,
        valid_from=date(2026, 11, 24),
        now=STAGED_AT,
    )
    return {s.starts_at.astimezone(AMSTERDAM).date(): s for s in Slot.objects.filter(channel=world.channel)}


def _in_production(world):
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    return brief


def _labels(world, persona):
    membership = Membership.objects.get(user=world.people[persona], organisation=world.ministry)
    return {item.brief: item.label for item in inbox.waiting_for(world.people[persona], membership, now=STAGED_AT)}


def _video_verdict(world):
    """The agency member's mail that ended the review of the video (the last verdict they were sent)."""
    return OutgoingMail.objects.filter(kind="approval.finished", recipient=world.people["agency_member"]).latest("pk")


def _post(world, brief, when):
    return content.posting_record(
        actor=world.people["agency_member"],
        brief=brief,
        tiktok_url=f"https://www.tiktok.com/@{world.channel.handle}/video/{7077642457847991000 + brief.pk}",
        posted_at=when,
        now=when + timedelta(minutes=30),
    )


def test_an_approved_video_takes_its_reservation_and_the_agency_is_told_when_to_post(world, calendar):
    brief = _in_production(world)
    thursday = calendar[date(2026, 12, 3)]
    services.slot_fill(actor=world.people["team_social"], slot=thursday, brief=brief, now=STAGED_AT)
    approve_all(world, deliver_video_file(world, brief))
    thursday.refresh_from_db()
    brief.refresh_from_db()
    assert thursday.video_version == brief.approved_video  # nobody had to press "put it in the slot"
    assert AuditEvent.objects.filter(action="slot.scheduled", object_id=str(thursday.pk)).exists()
    assert health.at_risk([thursday], world.ministry, today=date(2026, 12, 2)) == set()
    assert "Post it on Thursday 3 December 2026, 16:00" in _video_verdict(world).body
    assert _labels(world, "agency_member")[brief] == (
        "Post the approved video on Thursday 3 December, 16:00 with its hand-off package, and record its URL"
    )


def test_without_a_slot_team_social_is_asked_to_plan_one_and_the_agency_then_gets_the_date(world, calendar, client_for):
    brief = _in_production(world)
    approve_all(world, deliver_video_file(world, brief))
    brief.refresh_from_db()
    assert "Team social plans its slot" in _video_verdict(world).body
    assert _labels(world, "team_social")[brief] == "Plan a slot in the calendar for the approved video"
    assert _labels(world, "agency_member")[brief].startswith("Post the approved video once team social has planned")

    services.slot_fill(actor=world.people["team_social"], slot=calendar[date(2026, 12, 8)], brief=brief, now=STAGED_AT)
    planned = OutgoingMail.objects.filter(kind="calendar.planned")
    assert sorted(planned.values_list("recipient__username", flat=True)) == sorted(
        [world.people["agency_member"].username, world.shared_agency_member.username]
    )
    assert "Tuesday 8 December 2026, 16:00" in planned.get(recipient=world.people["agency_member"]).body
    # Each in their own language, the weekday as the language writes it.
    assert "dinsdag 8 december 2026, 16:00" in planned.get(recipient=world.shared_agency_member).body
    assert brief not in _labels(world, "team_social")
    page = client_for(world.people["agency_member"]).get(reverse("brief_detail", args=[brief.pk]))
    assert "Post the approved video on Tuesday 8 December 2026, 16:00." in page.content.decode()


def test_the_posting_form_proposes_the_slot_once_it_has_come(world, calendar, client_for, frozen):
    brief = _in_production(world)
    approve_all(world, deliver_video_file(world, brief))
    services.slot_fill(
        actor=world.people["team_social"],
        slot=calendar[date(2026, 11, 26)],
        brief=brief,
        now=STAGED_AT,
        window_reason="The campaign starts early.",
    )
    client = client_for(world.people["agency_member"])
    early = client.get(reverse("posting_create", args=[brief.pk])).content.decode()
    assert 'value="2026-11-24T' in early  # before the slot: now (posted early)
    assert "Planned for Thursday 26 November 2026, 16:00." in early
    frozen.move_to(datetime(2026, 11, 26, 17, 30, tzinfo=UTC))
    client = client_for(world.people["agency_member"])  # two days on: a new session
    after = client.get(reverse("posting_create", args=[brief.pk])).content.decode()
    assert 'value="2026-11-26T16:00"' in after


def test_an_early_post_frees_its_future_slot_and_shows_on_the_day_it_went_live(world, calendar, client):
    brief = _in_production(world)
    reserved = calendar[date(2026, 12, 10)]
    services.slot_fill(actor=world.people["team_social"], slot=reserved, brief=brief, now=STAGED_AT)
    approve_all(world, deliver_video_file(world, brief))
    _post(world, brief, local(date(2026, 12, 3), 16).astimezone(UTC))  # a week early, at Thursday's slot
    reserved.refresh_from_db()
    assert (reserved.brief, reserved.video_version) == (None, None)  # free for another brief
    thursday = Slot.objects.get(brief=brief)
    assert thursday.starts_at == local(date(2026, 12, 3))
    assert AuditEvent.objects.filter(action="slot.followed_posting", object_id=str(thursday.pk)).exists()
    # The week of the post counts it once; the week of the freed slot no longer does.
    week_49, week_50 = health.channel_weeks(world.channel, date(2026, 11, 30), 2)
    assert (week_49.count, week_50.count) == (1, 0)
    # The feed shows it as posted, on the day it went live.
    token = services.feed_token_regenerate(actor=world.people["team_social"], channel=world.channel)
    events = {
        e.begin.date(): e.name
        for e in ics.Calendar(client.get(reverse("calendar_feed", args=[token.token])).text).events
    }
    assert "(geplaatst)" in events[date(2026, 12, 3)]  # in the ministry's language
    assert brief.title not in events[date(2026, 12, 10)]
    # A posted slot no longer moves.
    with pytest.raises(ValidationError, match="has been posted"):
        services.slot_move(
            actor=world.people["team_social"], slot=thursday, target=calendar[date(2026, 12, 15)], now=STAGED_AT
        )


def test_a_post_on_a_day_without_a_slot_gets_an_extra_one_at_its_time(world, calendar):
    brief = _in_production(world)
    services.slot_fill(actor=world.people["team_social"], slot=calendar[date(2026, 12, 10)], brief=brief, now=STAGED_AT)
    approve_all(world, deliver_video_file(world, brief))
    _post(world, brief, datetime(2026, 12, 4, 10, 12, 40, tzinfo=UTC))  # a Friday: no cadence slot
    slot = Slot.objects.get(brief=brief)
    assert slot.is_ad_hoc and slot.starts_at == datetime(2026, 12, 4, 10, 12, tzinfo=UTC)
    assert slot.video_version == brief.posting.video_version


def test_a_post_on_its_slots_day_keeps_the_slot(world, calendar):
    brief = _in_production(world)
    slot = calendar[date(2026, 12, 1)]
    services.slot_fill(actor=world.people["team_social"], slot=slot, brief=brief, now=STAGED_AT)
    approve_all(world, deliver_video_file(world, brief))
    _post(world, brief, local(date(2026, 12, 1), 18).astimezone(UTC))  # two hours late, same day
    assert Slot.objects.get(brief=brief).pk == slot.pk
    assert not AuditEvent.objects.filter(action="slot.followed_posting").exists()


def test_a_slot_outside_the_posting_window_needs_a_reason(world, calendar):
    brief = _in_production(world)
    november = calendar[date(2026, 11, 26)]  # the window is 1 to 15 December
    with pytest.raises(ValidationError) as refused:
        services.slot_fill(actor=world.people["team_social"], slot=november, brief=brief, now=STAGED_AT)
    assert refused.value.code == "outside_window"
    assert "outside the brief's posting window (from 1 December 2026 to 15 December 2026)" in refused.value.messages[0]
    services.slot_fill(
        actor=world.people["team_social"],
        slot=november,
        brief=brief,
        now=STAGED_AT,
        window_reason="Moved up for the vaccination campaign's start.",
    )
    event = AuditEvent.objects.get(action="slot.reserved")
    assert event.details["outside_window"] == "Moved up for the vaccination campaign's start."
    with pytest.raises(ValidationError, match="outside the brief's posting window"):
        services.slot_move(
            actor=world.people["team_social"], slot=november, target=calendar[date(2026, 12, 17)], now=STAGED_AT
        )


def test_the_slot_page_asks_for_the_reason_at_the_field_and_keeps_the_choice(world, calendar, client_for):
    brief = _in_production(world)
    client = client_for(world.people["team_social"])
    november = calendar[date(2026, 11, 26)]
    url = reverse("slot_action", args=[november.pk])
    refused = client.post(url, {"action": "fill", "brief": brief.pk})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'name="window_reason"' in html and "Give the reason" in html
    assert f'<option value="{brief.pk}" selected>' in html
    done = client.post(url, {"action": "fill", "brief": brief.pk, "window_reason": "Campaign start"})
    assert done.status_code == 302
    november.refresh_from_db()
    assert november.brief == brief


def test_moving_offers_nearby_free_slots_by_weekday_and_date(world, calendar, client_for):
    brief = _in_production(world)
    services.slot_fill(actor=world.people["team_social"], slot=calendar[date(2026, 12, 3)], brief=brief, now=STAGED_AT)
    page = client_for(world.people["team_social"]).get(reverse("slot_detail", args=[calendar[date(2026, 12, 3)].pk]))
    html = page.content.decode()
    assert "Tuesday 8 December 2026, 16:00" in html
    assert "2026-12-08 16:00" not in html
    assert "Tuesday 1 June 2027" not in html  # months away: not a move anyone means

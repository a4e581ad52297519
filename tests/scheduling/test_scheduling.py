"""The posting calendar: slot generation (DST, year end), holidays, health, scheduling rules, the feed."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import ics
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from content import services as content_services
from scheduling import days, health, services
from scheduling.models import Cadence, CadenceTime, Slot
from tests.factories import ChannelFactory, SwedishOrganisationFactory
from tests.workflow import approve_all, brief_with_agency, deliver_script, deliver_video_file
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BEFORE_2027 = datetime(2026, 12, 31, 12, tzinfo=UTC)  # "now" for cadences that start in 2027
TODAY = STAGED_AT.astimezone(AMSTERDAM).date()
WINDOW_START = date(2026, 12, 1)


def cadence(channel, weekdays=(1, 3), at=time(16), start=date(2027, 3, 15), until=None, minimum=2):
    c = Cadence.objects.create(channel=channel, min_posts_per_week=minimum, valid_from=start, valid_until=until)
    CadenceTime.objects.bulk_create(CadenceTime(cadence=c, weekday=d, local_time=at) for d in weekdays)
    return c


def test_slots_keep_their_local_hour_across_the_dst_change(world):
    c = cadence(world.channel, start=date(2027, 3, 15), until=date(2027, 4, 4))  # DST starts 28 March 2027
    services.slots_generate(cadence=c, now=BEFORE_2027)
    slots = list(Slot.objects.filter(channel=world.channel))
    assert [s.starts_at.astimezone(AMSTERDAM).hour for s in slots] == [16] * 6
    utc_hours = [s.starts_at.astimezone(UTC).hour for s in slots]
    assert utc_hours == [15, 15, 15, 15, 14, 14]  # CET (+1) before, CEST (+2) after


def test_slots_run_on_across_the_year_end(world):
    c = cadence(world.channel, start=date(2027, 12, 20), until=date(2028, 1, 9))
    services.slots_generate(cadence=c, now=BEFORE_2027)
    local_days = [s.starts_at.astimezone(AMSTERDAM).date() for s in Slot.objects.filter(channel=world.channel)]
    assert local_days == [
        date(2027, 12, 21),
        date(2027, 12, 23),
        date(2027, 12, 28),
        date(2027, 12, 30),
        date(2028, 1, 4),
        date(2028, 1, 6),
    ]
    weeks = health.channel_weeks(world.channel, date(2027, 12, 27), 2)
    assert [w.iso for w in weeks] == [(2027, 52), (2028, 1)]


def test_half_a_year_gives_52_slots_and_generating_again_adds_none(world):
    c = cadence(world.channel, start=date(2027, 1, 4))
    assert services.slots_generate(cadence=c, now=BEFORE_2027) == 52
    assert services.slots_generate(cadence=c, now=BEFORE_2027) == 0
    assert Slot.objects.filter(channel=world.channel).count() == 52


def test_slots_start_after_now_and_run_26_weeks_from_today(world):
    c = cadence(world.channel, start=date(2027, 1, 4))
    # Thursday 7 January 2027, 16:30 in Amsterdam: that day's 16:00 slot has passed.
    now = datetime(2027, 1, 7, 15, 30, tzinfo=UTC)
    assert services.slots_generate(cadence=c, now=now) == 51
    local = [s.starts_at.astimezone(AMSTERDAM) for s in Slot.objects.filter(channel=world.channel)]
    assert (local[0].date(), local[-1].date()) == (date(2027, 1, 12), date(2027, 7, 6))
    # A week later the daily job adds that week's new slots at the far end, and nothing twice.
    assert services.slots_generate(cadence=c, now=now + timedelta(weeks=1)) == 2


def test_the_daily_job_keeps_the_slots_26_weeks_ahead(world, frozen):
    from scheduling.tasks import extend_slots

    services.cadence_save(
        actor=world.people["team_social"],
        channel=world.channel,
        weekdays=[1, 3],
        local_time=time(16),
        min_posts_per_week=2,
        valid_from=TODAY,
        now=STAGED_AT,
    )
    ended = cadence(ChannelFactory(organisation=world.ministry), start=date(2026, 1, 5), until=date(2026, 6, 30))
    assert extend_slots() == 0
    frozen.move_to(STAGED_AT + timedelta(weeks=2))
    assert extend_slots() == 4
    last = Slot.objects.filter(channel=world.channel).order_by("starts_at").last()
    # 26 weeks from Tuesday 8 December 2026 run to Monday 7 June 2027: the last slot is on Thursday the 3rd.
    assert last.starts_at.astimezone(AMSTERDAM).date() == date(2027, 6, 3)
    assert not Slot.objects.filter(cadence=ended).exists()  # a cadence that has ended makes no slots


def test_changing_the_cadence_moves_only_future_empty_slots(world):
    social = world.people["team_social"]
    services.cadence_save(
        actor=social,
        channel=world.channel,
        weekdays=[1, 3],
        local_time=time(16),
        min_posts_per_week=2,
        valid_from=TODAY,
        now=STAGED_AT,
    )
    brief = brief_with_agency(world)
    reserved = Slot.objects.filter(channel=world.channel).order_by("starts_at")[3]
    services.slot_fill(actor=social, slot=reserved, brief=brief, now=STAGED_AT)
    services.cadence_save(
        actor=social,
        channel=world.channel,
        weekdays=[0, 2],
        local_time=time(10),
        min_posts_per_week=2,
        valid_from=TODAY,
        now=STAGED_AT,
    )
    weekdays = {s.starts_at.astimezone(AMSTERDAM).weekday() for s in Slot.objects.filter(brief__isnull=True)}
    assert weekdays == {0, 2}
    reserved.refresh_from_db()
    assert reserved.brief == brief  # the planned slot stays where it was


def test_a_cadence_without_days_is_refused(world):
    with pytest.raises(ValidationError, match="at least one posting day"):
        services.cadence_save(
            actor=world.people["team_social"],
            channel=world.channel,
            weekdays=[],
            local_time=time(16),
            min_posts_per_week=2,
            valid_from=date(2027, 1, 1),
            now=BEFORE_2027,
        )
    assert not Cadence.objects.exists()


@pytest.mark.parametrize(
    ("country", "day", "name"),
    [
        ("NL", date(2027, 4, 27), "Koningsdag"),
        ("NL", date(2027, 12, 25), "Eerste Kerstdag"),
        ("SE", date(2027, 6, 6), "Nationaldagen"),
        ("SE", date(2027, 6, 26), "Midsommardagen"),
    ],
)
def test_public_holidays_of_both_countries(country, day, name):
    language = "nl" if country == "NL" else "sv"
    found = days.holidays_between(country, day - timedelta(days=1), day + timedelta(days=1), language)
    assert name.lower() in found[day].lower()


def test_working_days_skip_weekends_and_holidays():
    # Five working days before Thursday 29 April 2027: Tue 27 April is King's Day (NL), not in Sweden.
    assert days.working_days_before(date(2027, 4, 29), 5, "NL") == date(2027, 4, 21)
    assert days.working_days_before(date(2027, 4, 29), 5, "SE") == date(2027, 4, 22)


def _posted(world, when):
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    approve_all(world, deliver_video_file(world, brief))
    return content_services.posting_record(
        actor=world.people["agency_member"],
        brief=brief,
        tiktok_url=f"https://www.tiktok.com/@{world.channel.handle}/video/{7077642457847991000 + brief.pk}",
        posted_at=when,
        now=when + timedelta(hours=1),
    )


@pytest.mark.parametrize("posts", [0, 1, 2, 3])
def test_week_health_counts_posts_against_the_minimum(world, settings, tmp_path, posts):
    settings.MEDIA_ROOT = tmp_path
    monday = date(2026, 11, 2)
    cadence(world.channel, start=date(2026, 1, 5))
    for n in range(posts):
        _posted(world, datetime(2026, 11, 3 + n, 15, tzinfo=UTC))
    (week,) = health.channel_weeks(world.channel, monday, 1)
    assert (week.count, week.minimum, week.healthy) == (posts, 2, posts >= 2)


def test_a_slot_without_an_approved_video_becomes_at_risk_n_working_days_before(world):
    slot = Slot(channel=world.channel, starts_at=datetime(2027, 4, 29, 14, tzinfo=UTC))
    kwargs = {"working_days": 5, "country": "NL", "zone": "Europe/Amsterdam"}
    assert not health.slot_at_risk(slot, today=date(2027, 4, 20), **kwargs)
    assert health.slot_at_risk(slot, today=date(2027, 4, 21), **kwargs)


@pytest.fixture
def planned(world, settings, tmp_path, frozen):
    """A cadence from 1 December 2026 on (the test briefs' posting window is 1 to 15 December), and a brief with an
    approved video (the clock stands at STAGED_AT, a week before)."""
    settings.MEDIA_ROOT = tmp_path
    social = world.people["team_social"]
    services.cadence_save(
        actor=social,
        channel=world.channel,
        weekdays=[1, 3],
        local_time=time(16),
        min_posts_per_week=2,
        valid_from=WINDOW_START,
        now=STAGED_AT,
    )
    ready = brief_with_agency(world)
    approve_all(world, deliver_script(world, ready))
    approve_all(world, deliver_video_file(world, ready))
    ready.refresh_from_db()
    slots = list(Slot.objects.filter(channel=world.channel).order_by("starts_at")[:4])
    return world, ready, slots


def test_an_approved_video_goes_into_an_empty_future_slot_and_is_audited(planned):
    world, ready, slots = planned
    slot = services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=ready, now=STAGED_AT)
    assert slot.video_version == ready.video_versions.get()
    assert AuditEvent.objects.filter(action="slot.scheduled", object_id=str(slot.pk)).exists()


def test_a_second_brief_in_a_taken_slot_is_refused(planned):
    world, ready, slots = planned
    services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=ready, now=STAGED_AT)
    other = brief_with_agency(world)
    with pytest.raises(ValidationError, match="already holds"):
        services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=other, now=STAGED_AT)


def test_a_brief_takes_at_most_one_slot(planned):
    world, ready, slots = planned
    services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=ready, now=STAGED_AT)
    with pytest.raises(ValidationError, match="already in another slot"):
        services.slot_fill(actor=world.people["team_social"], slot=slots[1], brief=ready, now=STAGED_AT)


def test_only_an_approved_video_can_be_put_in_a_slot(planned):
    world, _, slots = planned
    in_review = brief_with_agency(world)
    deliver_script(world, in_review)
    slot = services.slot_fill(actor=world.people["team_social"], slot=slots[1], brief=in_review, now=STAGED_AT)
    assert slot.video_version is None  # reserved, not scheduled
    with pytest.raises(ValidationError, match="approval is finished"):
        services.slot_attach_approved_video(actor=world.people["team_social"], slot=slot, now=STAGED_AT)


def test_a_slot_in_the_past_is_refused(planned):
    world, ready, _ = planned
    past = Slot.objects.create(channel=world.channel, starts_at=STAGED_AT - timedelta(hours=1))
    with pytest.raises(ValidationError, match="past"):
        services.slot_fill(actor=world.people["team_social"], slot=past, brief=ready, now=STAGED_AT)
    with pytest.raises(ValidationError, match="past"):
        services.slot_add(
            actor=world.people["team_social"], channel=world.channel, starts_at=past.starts_at, now=STAGED_AT
        )


def test_rescheduling_moves_the_video_and_keeps_history(planned):
    world, ready, slots = planned
    services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=ready, now=STAGED_AT)
    moved = services.slot_move(actor=world.people["team_social"], slot=slots[0], target=slots[2], now=STAGED_AT)
    slots[0].refresh_from_db()
    assert (slots[0].brief, moved.brief) == (None, ready)
    assert AuditEvent.objects.filter(action="slot.rescheduled").count() == 1


def test_an_extra_slot_at_a_taken_time_is_refused(planned):
    world, _, slots = planned
    with pytest.raises(ValidationError, match="already a slot"):
        services.slot_add(
            actor=world.people["team_social"], channel=world.channel, starts_at=slots[0].starts_at, now=STAGED_AT
        )


def _feed(client, token):
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content.decode()


def test_the_feed_parses_with_an_independent_parser_and_keeps_uids(planned, client):
    world, ready, slots = planned
    services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=ready, now=STAGED_AT)
    first = services.feed_token_regenerate(actor=world.people["team_social"], channel=world.channel)
    text = _feed(client, first.token)
    assert "BEGIN:VTIMEZONE" in text and "TZID=Europe/Amsterdam" in text
    calendar = ics.Calendar(text)
    events = sorted(calendar.events, key=lambda e: e.begin)
    assert len(events) == Slot.objects.filter(channel=world.channel).count() == 52
    assert events[0].begin.to("Europe/Amsterdam").hour == 16
    assert ready.title in events[0].name
    second = services.feed_token_regenerate(actor=world.people["team_social"], channel=world.channel)
    again = ics.Calendar(_feed(client, second.token))
    assert {e.uid for e in again.events} == {e.uid for e in calendar.events}
    assert client.get(reverse("calendar_feed", args=[first.token])).status_code == 404


def test_a_revoked_feed_answers_404(planned, client):
    world, _, _ = planned
    token = services.feed_token_regenerate(actor=world.people["team_social"], channel=world.channel)
    services.feed_token_revoke(actor=world.people["team_social"], channel=world.channel)
    assert client.get(reverse("calendar_feed", args=[token.token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["made-up-token"])).status_code == 404


@pytest.mark.parametrize("url_name", ["calendar_month", "calendar_week", "calendar_agenda", "calendar_csv"])
def test_calendar_pages_keep_a_fixed_number_of_queries(planned, client_for, django_assert_max_num_queries, url_name):
    world, _ready, slots = planned
    client = client_for(world.people["team_social"])
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(url_name))
    for n, slot in enumerate(slots[1:]):
        brief = brief_with_agency(world)
        services.slot_fill(actor=world.people["team_social"], slot=slot, brief=brief, now=STAGED_AT)
        assert n < 3
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_the_csv_export_lists_every_slot(planned, client_for):
    world, ready, slots = planned
    services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=ready, now=STAGED_AT)
    response = client_for(world.people["management"]).get(reverse("calendar_csv"))
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 1 + 52
    assert ready.title in lines[1]


def test_the_csv_export_keeps_a_formula_as_text_and_is_audited(planned, client_for):
    import csv
    import io

    from audit.models import AuditEvent
    from content.models import Brief

    world, ready, slots = planned
    Brief.objects.filter(pk=ready.pk).update(title='=cmd|" /C calc"!A0')
    ready.refresh_from_db()
    services.slot_fill(actor=world.people["team_social"], slot=slots[0], brief=ready, now=STAGED_AT)
    response = client_for(world.people["management"]).get(reverse("calendar_csv"))
    assert response.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'" + ready.title in rows[1]
    assert ready.title not in [cell for row in rows for cell in row]
    event = AuditEvent.objects.get(action="export.downloaded")
    assert (event.actor, event.details["export"]) == (world.people["management"], "calendar.csv")


def test_swedish_slots_use_stockholm_time(db):
    organisation = SwedishOrganisationFactory()
    channel = ChannelFactory(organisation=organisation)
    c = cadence(channel, weekdays=(2,), at=time(15), start=date(2027, 6, 1), until=date(2027, 6, 10))
    services.slots_generate(cadence=c, now=BEFORE_2027)
    assert [s.starts_at.astimezone(ZoneInfo("Europe/Stockholm")).hour for s in Slot.objects.all()] == [15, 15]


def test_the_daily_job_mails_team_social_about_weeks_at_risk(planned, mailoutbox):
    from scheduling.tasks import mail_weeks_at_risk
    from tests.mail import deliver

    world, _, _ = planned
    assert mail_weeks_at_risk() == 1  # the coming weeks are still empty
    assert mail_weeks_at_risk() == 0  # run twice (a second scheduler, a retry): queued once
    deliver()
    (mail,) = [m for m in mailoutbox if "below the minimum" in m.body]
    assert mail.to == [world.people["team_social"].email]
    assert "below the minimum" in mail.body


def test_team_social_sees_the_channel_health_on_the_home_page(planned, client_for):
    world, _, _ = planned
    body = client_for(world.people["team_social"]).get(reverse("home")).content.decode()
    assert f"Channel health @{world.channel.handle}" in body
    assert "of 2 posts" in body
    adviser_home = client_for(world.people["adviser"]).get(reverse("home")).content.decode()
    assert "Channel health" not in adviser_home


def test_a_week_before_any_cadence_is_not_flagged(world):
    cadence(world.channel, start=date(2027, 3, 15))
    (before,) = health.channel_weeks(world.channel, date(2027, 3, 1), 1)
    (during,) = health.channel_weeks(world.channel, date(2027, 3, 15), 1)
    assert (before.minimum, before.healthy) == (0, True)
    assert (during.minimum, during.healthy) == (2, False)


def test_the_first_calendar_address_is_not_said_to_replace_one(world, client_for):
    client = client_for(world.people["team_social"])
    url = f"{reverse('feed_manage')}?channel={world.channel.pk}"
    first = client.post(url, {"action": "regenerate"}, follow=True).content.decode()
    assert "The calendar address has been made" in first and "the old one no longer works" not in first
    again = client.post(url, {"action": "regenerate"}, follow=True).content.decode()
    assert "the old one no longer works" in again


@pytest.mark.parametrize(
    ("language", "word"), [("en", "calendar"), ("nl", "contentkalender"), ("sv", "publiceringskalender")]
)
def test_the_csv_download_is_named_in_the_readers_language(planned, client_for, language, word):
    world, _, _ = planned
    client = client_for(world.people["management"])
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("calendar_csv"))
    assert response["Content-Disposition"] == f'attachment; filename="{word}-{world.channel.handle}.csv"'

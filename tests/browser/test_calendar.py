"""Team social schedules approved videos into slots and sees the week turn healthy; axe on the way."""

import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import User
from approvals import services as approvals
from content import services as content
from content.models import Creator, PublicationRules, Topic
from content.publication import required_checks
from content.states import BriefAction
from home.demo.world import seed_demo_world
from scheduling import services as scheduling
from scheduling.models import Slot
from tests.workflow import TRANSCRIPT, publication

from .conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _approve(version, *people):
    for person in people:
        run = version.approval_run
        run.refresh_from_db()
        approvals.decide(
            actor=person,
            run_id=run.pk,
            version_number=version.number,
            step_position=run.current_position,
            verdict="approve",
            checked_constraint_ids=list(run.brief.constraints.values_list("pk", flat=True)),
            checked_checks=required_checks(run.version, PublicationRules.of(run.brief.organisation)),
        )


def ready_brief(title, adviser, social, agency, topic, creator):
    organisation = topic.organisation
    brief = content.brief_create(
        actor=adviser,
        organisation=organisation,
        fields={
            "channel": organisation.channels.get(),
            "agency": creator.agency,
            "topic": topic,
            "title": title,
            "key_message": "Wash your hands for 20 seconds.",
        },
        constraints=["Subtitles on"],
    )
    content.brief_transition(actor=adviser, brief=brief, action=BriefAction.SUBMIT)
    content.brief_transition(actor=social, brief=brief, action=BriefAction.SEND)
    script = approvals.script_version_add(
        actor=agency,
        brief=brief,
        text="Script",
        shot_list="",
        duration_target=20,
        creators=[creator],
        publication=publication(brief),
    )
    _approve(script, adviser, social)
    video = approvals.video_version_add(
        actor=agency,
        brief=brief,
        creators=[creator],
        has_subtitles=True,
        preview_url="https://preview.example.org/x",
        publication=publication(brief),
        transcript=TRANSCRIPT,
    )
    _approve(video, adviser, social)
    return brief


def test_team_social_fills_a_week_and_sees_it_turn_healthy(browser, live_server):
    seed_demo_world()
    User.objects.update(language="en")
    adviser, social, agency = (User.objects.get(username=u) for u in ("vws-adviser", "vws-social", "agency"))
    ministry = adviser.memberships.get().organisation
    topic = Topic.objects.create(organisation=ministry, name="Hygiene", owner=adviser)
    creator = Creator.objects.create(
        agency=ministry.agencies.get(), handle="lotte.lacht", display_name="Lotte", consent_date=date(2026, 1, 5)
    )
    briefs = [ready_brief(t, adviser, social, agency, topic, creator) for t in ("Wash hands", "Sneeze in elbow")]
    channel = ministry.channels.get()
    # The browser keeps the real clock (cookies expire by it), so the server does too, and the week is
    # chosen from the moment the test runs.
    now = timezone.now()
    today = timezone.localdate(now, ministry.zone)
    scheduling.cadence_save(
        actor=social,
        channel=channel,
        weekdays=[1, 3],
        local_time=time(16),
        min_posts_per_week=2,
        valid_from=today,
        now=now,
    )
    # A week fully ahead of us: both its slots are in the future.
    next_monday = today + timedelta(days=7 - today.weekday())
    zone = ZoneInfo(ministry.time_zone)
    week_slots = [
        s for s in Slot.objects.filter(channel=channel) if s.starts_at.astimezone(zone).date() >= next_monday
    ][:2]

    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    log_in(page, "vws-social")

    week_url = f"/calendar/week/?week={next_monday.isoformat()}"
    page.goto(week_url)
    assert "0 of 2 posts" in page.locator("table").inner_text()
    assert "below the minimum" in page.locator("table").inner_text()
    assert_accessible(page)

    for slot, brief in zip(week_slots, briefs, strict=True):
        page.goto(f"/calendar/slots/{slot.pk}/")
        page.get_by_label("Brief").select_option(label=brief.title)
        assert_accessible(page)
        page.get_by_role("button", name="Schedule").click()
        page.wait_for_url(re.compile(rf"/calendar/slots/{slot.pk}/$"))
        assert "The calendar has been updated." in page.content()

    page.goto(week_url)
    table = page.locator("table").inner_text()
    assert "2 of 2 posts" in table
    assert "below the minimum" not in table
    for brief in briefs:
        assert brief.title in table
    for view in ("/calendar/", "/calendar/agenda/", "/calendar/cadence/", "/calendar/subscribe/"):
        page.goto(view)
        assert_accessible(page)
    context.close()

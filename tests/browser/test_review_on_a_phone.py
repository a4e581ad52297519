"""A reviewer on a phone (390 by 844 pixels, in Dutch): from the inbox to the video's review page, and approved in
two taps (all constraints met, approve), every page clean for axe. A wrong tap shows its message where the form
is."""

import re
from datetime import date

import pytest

from accounts.models import User
from approvals import services as approvals
from approvals.models import ApprovalRun, Decision
from content import services as content
from content.media import inspect_video
from content.models import Creator, Topic
from content.states import BriefAction
from home.demo.world import AGENCY_USERNAME, seed_demo_world
from tests.workflow import CONSTRAINTS, TRANSCRIPT, publication, uploaded_video

from .conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def video_waiting(live_server, settings, tmp_path):
    """A VWS brief whose video version 1 waits for the adviser (the first step of the video's review)."""
    from decimal import Decimal

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_world()
    adviser, social = User.objects.get(username="vws-adviser"), User.objects.get(username="vws-social")
    agency = User.objects.get(username=AGENCY_USERNAME)
    adviser.language = "nl"
    adviser.save()
    ministry = adviser.memberships.get().organisation
    topic = Topic.objects.create(organisation=ministry, name="Vaccinatie", owner=adviser, theme="corona")
    creator = Creator.objects.create(
        agency_id=ministry.agencies.get().pk, handle="dansmetdaan", display_name="Daan", consent_date=date(2026, 1, 5)
    )
    brief = content.brief_create(
        actor=adviser,
        organisation=ministry,
        fields={
            "channel": ministry.channels.order_by("pk").first(),
            "agency": ministry.agencies.get(),
            "topic": topic,
            "title": "Haal je booster",
            "key_message": "Een booster beschermt jou en anderen.",
            "posting_window_start": date(2026, 12, 1),
            "posting_window_end": date(2026, 12, 15),
        },
        constraints=CONSTRAINTS,
    )
    content.brief_transition(actor=adviser, brief=brief, action=BriefAction.SUBMIT)
    content.brief_transition(actor=social, brief=brief, action=BriefAction.SEND)
    script = approvals.script_version_add(
        actor=agency,
        brief=brief,
        text="Scène 1.",
        shot_list="",
        duration_target=30,
        creators=[creator],
        publication=publication(brief),
    )
    for person in (adviser, social):
        run = ApprovalRun.objects.get(script_version=script)
        approvals.decide(
            actor=person,
            run_id=run.pk,
            version_number=1,
            step_position=run.current_position,
            verdict="approve",
            checked_constraint_ids=list(brief.constraints.values_list("pk", flat=True)),
        )
    upload = uploaded_video()
    info = inspect_video(upload, max_bytes=10_000_000, min_seconds=Decimal(3), max_seconds=Decimal(60))
    video = approvals.video_version_add(
        actor=agency,
        brief=brief,
        creators=[creator],
        has_subtitles=True,
        file=upload,
        info=info,
        publication=publication(brief),
        transcript=TRANSCRIPT,
    )
    return ApprovalRun.objects.get(video_version=video)


def test_a_video_is_approved_on_a_phone_in_two_taps_after_opening_its_review(browser, live_server, video_waiting):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "vws-adviser")
    page.goto("/inbox/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Haal je booster")).first.click()  # opening the review page
    page.wait_for_url(re.compile(rf"/reviews/{video_waiting.pk}/$"))
    assert_accessible(page)
    assert "stap 1 van 2: Communicatieadviseur van het onderwerp" in page.content()  # the seeded step, in Dutch
    # What is reviewed is on the first screen, and the decision's first control right after it.
    assert page.locator("#player").bounding_box()["y"] < PHONE["height"] / 2
    taps = 0
    page.get_by_label("Alle 5 randvoorwaarden zijn vervuld").check()
    taps += 1
    page.get_by_role("button", name="Goedkeuren", exact=True).click()
    taps += 1
    page.wait_for_url(re.compile(r"/inbox/#mine-heading$"))
    assert taps <= 3
    assert "Je besluit is vastgelegd." in page.content()
    assert Decision.objects.get(run=video_waiting).verdict == "approve"
    assert_accessible(page)
    context.close()


def test_a_refused_decision_opens_at_the_form_with_its_message(browser, live_server, video_waiting):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "vws-adviser")
    page.goto(f"/reviews/{video_waiting.pk}/")
    page.get_by_label("Feedback").fill("Mooi begin")
    page.get_by_role("button", name="Goedkeuren", exact=True).click()  # without ticking the constraints
    page.wait_for_load_state()
    assert page.url.endswith("#decision")
    message = page.get_by_text("Om goed te keuren moet aan alle randvoorwaarden zijn voldaan")
    assert page.locator("input[name$='-all_constraints']").get_attribute("aria-invalid") == "true"
    box = message.bounding_box()
    assert 0 <= box["y"] < PHONE["height"]  # in sight, not at the top of a long page
    assert page.get_by_label("Feedback").input_value() == "Mooi begin"
    assert_accessible(page)
    context.close()

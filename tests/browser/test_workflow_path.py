"""The whole path in the browser, each step by the person whose job it is:

brief → script v1 (changes requested) → v2 approved → video v1 rejected → v2 approved in two steps →
posted → webcare. axe checks every kind of page on the way.
"""

import re

import pytest

from accounts.models import User
from content.models import Brief, Creator, Topic
from home.demo.world import seed_demo_world
from tests.workflow import MEDIA_DIR

from .conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_world()
    User.objects.update(language="en")  # stable labels to click on; languages are tested elsewhere
    adviser = User.objects.get(username="vws-adviser")
    ministry = adviser.memberships.get().organisation
    Topic.objects.create(organisation=ministry, name="Vaccination", owner=adviser, theme="corona")
    Creator.objects.create(agency_id=ministry.agencies.get().pk, handle="dansmetdaan", display_name="Daantje Danst")
    pages = {}

    def as_user(username):
        if username not in pages:
            context = browser.new_context(base_url=live_server.url, bypass_csp=True)
            context.set_default_timeout(15_000)
            page = context.new_page()
            log_in(page, username)
            pages[username] = page
        return pages[username]

    yield as_user
    for page in pages.values():
        page.context.close()


def open_brief(page, brief):
    page.goto(f"/briefs/{brief.pk}/")
    return page


def decide(page, brief, verdict, feedback=""):
    open_brief(page, brief)
    form = page.locator("form[action*='/decide/']")
    form.get_by_label(verdict, exact=True).check()
    for checkbox in form.locator("input[type=checkbox]").all():
        checkbox.check()
    if feedback:
        form.get_by_label("Feedback").fill(feedback)
    assert_accessible(page)
    form.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert "Your decision has been recorded." in page.content()


def deliver_script(page, brief, text):
    open_brief(page, brief).get_by_role("link", name="Deliver a script").click()
    page.get_by_label("Daantje Danst (@dansmetdaan)").check()
    page.locator("#id_text").fill(text)
    page.get_by_label("Target duration (seconds)").fill("30")
    assert_accessible(page)
    page.get_by_role("button", name="Deliver for review").click()
    page.wait_for_url(re.compile(rf"/briefs/{brief.pk}/$"))


def deliver_video(page, brief, filename):
    open_brief(page, brief).get_by_role("link", name="Deliver a video").click()
    page.get_by_label("Daantje Danst (@dansmetdaan)").check()
    page.get_by_label("Video file").set_input_files(str(MEDIA_DIR / filename))
    page.get_by_label("The video has subtitles").check()
    assert_accessible(page)
    page.get_by_role("button", name="Deliver for review").click()
    page.wait_for_url(re.compile(rf"/briefs/{brief.pk}/$"))


def status_of(brief):
    brief.refresh_from_db()
    return brief.status


def test_a_tiktok_goes_from_idea_to_posted_video_in_the_browser(people):
    adviser, social, agency = people("vws-adviser"), people("vws-social"), people("agency")

    # 1. The adviser drafts the brief; a missing key message is explained and nothing typed is lost.
    adviser.goto("/briefs/new/")
    adviser.get_by_label("Topic").select_option(label="Vaccination")
    adviser.get_by_label("Working title").fill("Get your booster")
    adviser.get_by_label("Constraints (randvoorwaarden)").fill("Subtitles on\nRefers to Rijksoverheid.nl")
    adviser.get_by_role("button", name="Save draft").click()
    assert adviser.get_by_label("Working title").input_value() == "Get your booster"
    assert_accessible(adviser)
    adviser.get_by_label("Key message").fill("Boosters protect you; book via Rijksoverheid.nl.")
    adviser.get_by_role("button", name="Save draft").click()
    adviser.get_by_role("button", name="Submit to team social").click()
    brief = Brief.objects.get(title="Get your booster")
    assert status_of(brief) == "submitted"

    # 2. Team social checks content and timing and sends it to the agency.
    open_brief(social, brief).get_by_role("button", name="Send to the agency").click()
    assert status_of(brief) == "sent_to_agency"

    # 3. The agency writes script v1; the adviser approves, team social asks for changes.
    deliver_script(agency, brief, "Creator dances, then shows the booster appointment page.")
    decide(adviser, brief, "Approve")
    decide(social, brief, "Request changes", feedback="Start faster and name the source.")
    agency.goto("/inbox/")
    assert_accessible(agency)
    assert "Write a script (or a new version)" in agency.content()
    open_brief(agency, brief)
    assert "Start faster and name the source." in agency.content()

    # 4. Script v2, approved in both steps.
    deliver_script(agency, brief, "In 3 seconds: why a booster. Then the source: Rijksoverheid.nl.")
    decide(adviser, brief, "Approve")
    decide(social, brief, "Approve")
    assert status_of(brief) == "in_production"

    # 5. Video v1 rejected by the adviser; v2 approved in two steps.
    deliver_video(agency, brief, "valid_5s.mp4")
    decide(adviser, brief, "Reject", feedback="A beer bottle is visible at 0:03.")
    deliver_video(agency, brief, "valid_5s.webm")
    decide(adviser, brief, "Approve")
    decide(social, brief, "Approve")
    assert status_of(brief) == "ready_to_post"

    # 6. The agency posts it and records the URL; team social does the webcare.
    open_brief(agency, brief).get_by_role("link", name="Record the posting").click()
    agency.get_by_label("TikTok URL of the posted video").fill(
        "https://www.tiktok.com/@minvws/video/7077642457847991554"
    )
    assert_accessible(agency)
    agency.get_by_role("button", name="Record as posted").click()
    agency.wait_for_url(re.compile(rf"/briefs/{brief.pk}/$"))
    assert status_of(brief) == "posted"

    social.goto("/webcare/")
    assert_accessible(social)
    social.get_by_role("link", name=f"Update {brief.reference}").click()
    social.get_by_label("Notes").fill("Answered questions about side effects.")
    social.get_by_label("Done").check()
    social.get_by_role("button", name="Save").click()
    social.wait_for_url(re.compile(r"/webcare/$"))
    assert brief.posting.webcare_tasks.get().done_at is not None

    # The timeline shows every step, and the page with it passes axe.
    open_brief(social, brief)
    timeline = social.locator("#timeline-heading + div table").inner_text()
    for label in ("Changes requested", "Rejected", "Approved", "Posted on TikTok", "Webcare task updated"):
        assert label in timeline
    assert_accessible(social)

"""The whole path in the browser, each step by the person whose job it is:

brief (returned once) → script v1 (changes requested) → v2 approved → video v1 rejected → v2 (with a subtitle file,
a transcript and the caption from the script) approved in two steps → the hand-off package downloaded (its SHA-256 is
the approved file's) → posted early → the live post checked clean against the TikTok simulator → webcare. Every
hand-over is checked for the mail it queues (to exactly the people who act next) and the entry in their inbox; the
agency sees when to post; the calendar shows the post on the day it went live. axe checks every kind of page on the
way.
"""

import hashlib
import re
import zipfile
from datetime import time, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from content.models import Brief, Creator, PublicationRules, Topic
from core import dates
from core.models import OutgoingMail
from home.demo.world import seed_demo_world
from scheduling import services as scheduling
from scheduling.models import Slot
from stats.client import OAuthClient
from stats.models import ChannelConnection
from stats.tasks import check_post
from tests.workflow import MEDIA_DIR
from tests.world import SIMULATED_OPEN_ID

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

    # The browser keeps the real clock (cookies expire by it), so the calendar starts today.
    now = timezone.now()
    scheduling.cadence_save(
        actor=User.objects.get(username="vws-social"),
        channel=ministry.channels.order_by("pk").first(),
        weekdays=[1, 3],
        local_time=time(16),
        min_posts_per_week=2,
        valid_from=timezone.localdate(now, ministry.zone),
        now=now,
    )
    yield as_user
    for page in pages.values():
        page.context.close()


def _reserve_a_slot(page, brief):
    """Team social reserves the first slot two weeks or more ahead for the brief, on the slot's page."""
    slot = Slot.objects.filter(starts_at__gte=timezone.now() + timedelta(weeks=2), brief__isnull=True).first()
    page.goto(f"/calendar/slots/{slot.pk}/")
    page.get_by_label("Brief").select_option(label=brief.title)
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url(re.compile(rf"/calendar/slots/{slot.pk}/$"))
    assert "The calendar has been updated." in page.content()
    slot.refresh_from_db()
    assert slot.brief_id == brief.pk
    return slot


def open_brief(page, brief):
    page.goto(f"/briefs/{brief.pk}/")
    return page


def decide(page, brief, verdict, feedback="", at=""):
    """From the brief, by its jump link, to the version's review page; the verdict is one of its three buttons."""
    open_brief(page, brief).locator(".planner-review-jump").get_by_role("link").first.click()
    form = page.locator("form#decision")
    if verdict == "Approve":
        form.locator("input[name$='-all_constraints']").check()
    if feedback:
        form.get_by_label("Feedback").fill(feedback)
    if at:
        form.get_by_label("At which moment of the video (m:ss)").fill(at)
    assert_accessible(page)
    form.get_by_role("button", name=verdict, exact=True).click()
    page.wait_for_load_state()
    errors = page.locator(".utrecht-alert--error, .utrecht-alert--warning").all_inner_texts()
    assert "Your decision has been recorded." in page.content(), errors


def deliver_script(page, brief, text):
    open_brief(page, brief).get_by_role("link", name="Deliver a script").click()
    page.get_by_label("Daantje Danst (@dansmetdaan)").check()
    page.locator("#id_text").fill(text)
    page.get_by_label("Target duration (seconds)").fill("30")
    assert_accessible(page)
    page.get_by_role("button", name="Deliver for review").click()
    page.wait_for_url(re.compile(rf"/briefs/{brief.pk}/$"))


SUBTITLES = (
    b"1\n00:00:00,500 --> 00:00:02,500\n[music] Get your booster.\n\n"
    b"2\n00:00:02,600 --> 00:00:04,800\nBook it via Rijksoverheid.nl.\n"
)


def deliver_video(page, brief, filename, *, subtitles=None):
    """The agency delivers a video with its accessibility package: a subtitle file (``subtitles``: its bytes) or
    subtitles burned in, and a transcript; the caption comes from the approved script."""
    open_brief(page, brief).get_by_role("link", name="Deliver a video").click()
    page.get_by_label("Daantje Danst (@dansmetdaan)").check()
    page.get_by_label("Video file").set_input_files(str(MEDIA_DIR / filename))
    page.get_by_label("No music").check()
    if subtitles:
        page.get_by_label("Subtitle file").set_input_files(
            files=[{"name": "booster.srt", "mimeType": "application/x-subrip", "buffer": subtitles}]
        )
    else:
        page.get_by_label("The subtitles are burned into the video").check()
    page.get_by_label("Transcript").fill("[music] Get your booster. Book it via Rijksoverheid.nl.")
    # The creator's release, on the consent register under their name.
    page.locator("#id_people-0-name").fill("Daantje Danst")
    page.locator("#id_people-0-release_reference").fill("release-daantje.pdf")
    page.locator("#id_people-0-release_date").fill("2026-11-02")
    assert_accessible(page)
    page.get_by_role("button", name="Deliver for review").click()
    page.wait_for_url(re.compile(rf"/briefs/{brief.pk}/$"))


def status_of(brief):
    brief.refresh_from_db()
    return brief.status


def mailed(kind):
    """Who was sent the latest news of ``kind`` (one mail per person, keyed by the event it tells)."""
    latest = OutgoingMail.objects.filter(kind=kind).order_by("-pk").first()
    assert latest is not None, f"no {kind} mail"
    event = latest.key.rsplit(":", 1)[0]
    return sorted(
        OutgoingMail.objects.filter(key__startswith=event + ":").values_list("recipient__username", flat=True)
    )


def inbox(page):
    page.goto("/inbox/")
    return page.locator("section[aria-labelledby=mine-heading]").inner_text()


def _connect(channel, simulator, settings):
    """The channel connected to (the simulator of) TikTok, as team social would connect it."""
    tokens = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret).exchange_code(
        simulator.authorization_code(SIMULATED_OPEN_ID), "http://testserver/callback"
    )
    connection = ChannelConnection(channel=channel, open_id=tokens.open_id, scopes=tokens.scope)
    connection.access_token, connection.refresh_token = tokens.access_token, tokens.refresh_token
    connection.access_expires_at = timezone.now() + timedelta(seconds=tokens.expires_in)
    connection.connected_at = timezone.now()
    connection.save()


def test_a_tiktok_goes_from_idea_to_posted_video_in_the_browser(people, simulator, settings):
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
    assert mailed("brief.submitted") == ["vws-social"]
    assert "Check the brief and send it to the agency" in inbox(social)

    # 2. Team social returns it once, with the reason; the adviser hears it and submits again.
    open_brief(social, brief).get_by_label("Why it goes back to the adviser").fill("Add the booking link.")
    social.get_by_role("button", name="Return to the adviser").click()
    assert status_of(brief) == "draft"
    assert mailed("brief.returned") == ["vws-adviser"]
    assert "Add the booking link." in OutgoingMail.objects.filter(kind="brief.returned").latest("pk").body
    assert "Returned to you" in inbox(adviser)
    open_brief(adviser, brief).get_by_role("button", name="Submit to team social").click()
    assert status_of(brief) == "submitted"

    # Team social checks content and timing and sends it to the agency.
    open_brief(social, brief).get_by_role("button", name="Send to the agency").click()
    assert status_of(brief) == "sent_to_agency"
    assert "agency" in mailed("brief.sent") and "vws-social" not in mailed("brief.sent")
    assert "Write a script (or a new version)" in inbox(agency)
    # It goes into the calendar two weeks ahead: a reservation, which the approved video will fill by itself.
    reserved = _reserve_a_slot(social, brief)

    # 3. The agency writes script v1; the adviser approves, team social asks for changes.
    deliver_script(agency, brief, "Creator dances, then shows the booster appointment page.")
    assert mailed("approval.waiting") == ["vws-adviser"]
    assert "Decide on script version 1" in inbox(adviser)
    decide(adviser, brief, "Approve")
    assert mailed("approval.waiting") == ["vws-social"]
    decide(social, brief, "Request changes", feedback="Start faster and name the source.")
    assert "agency" in mailed("approval.finished")
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
    decide(adviser, brief, "Reject", feedback="A beer bottle is visible.", at="0:03")
    deliver_video(agency, brief, "valid_5s.webm", subtitles=SUBTITLES)
    decide(adviser, brief, "Approve")
    decide(social, brief, "Approve")
    assert status_of(brief) == "ready_to_post"

    # 6. The agency is told when to post: in the mail, its inbox and on the brief (the slot filled by itself).
    reserved.refresh_from_db()
    assert reserved.video_version_id == brief.approved_video_id
    when = dates.moment(reserved.starts_at, "long", brief.organisation.zone)
    assert f"Post it on {when}" in OutgoingMail.objects.filter(kind="approval.finished").latest("pk").body
    assert (
        f"Post the approved video on {dates.moment(reserved.starts_at, 'weekday', brief.organisation.zone)} with"
        in (inbox(agency))
    )
    assert f"Post the approved video on {when}." in open_brief(agency, brief).content()

    # The agency downloads the hand-off package: the approved file, byte for byte, with its SHA-256 and the caption.
    with agency.expect_download() as download:
        agency.get_by_role("link", name="Download the hand-off package (ZIP)").click()
    package = zipfile.ZipFile(download.value.path())
    brief.refresh_from_db()
    approved = brief.approved_video
    uploaded = hashlib.sha256((MEDIA_DIR / "valid_5s.webm").read_bytes()).hexdigest()
    (video_name,) = [name for name in package.namelist() if name.endswith(".webm")]
    assert hashlib.sha256(package.read(video_name)).hexdigest() == uploaded == approved.sha256
    assert package.read("SHA256SUMS").decode() == f"{uploaded}  {video_name}\n"
    disclosure = PublicationRules.of(brief.organisation).disclosure_text
    assert package.read("caption.txt").decode().startswith(disclosure)

    # TikTok shows the video as approved. It goes out early, which the ministry allows (up to two weeks off its
    # slot's day); otherwise the check would flag the day.
    simulator.add_video(SIMULATED_OPEN_ID, "7077642457847991554", description=approved.full_caption, duration=5)
    _connect(brief.channel, simulator, settings)
    PublicationRules.objects.filter(organisation=brief.organisation).update(post_day_tolerance=14)

    # 7. It goes out early (today, not on its slot) and the agency records the URL; team social does the webcare.
    open_brief(agency, brief).get_by_role("link", name="Record the posting").click()
    agency.get_by_label("TikTok URL of the posted video").fill(
        "https://www.tiktok.com/@minvws/video/7077642457847991554"
    )
    assert_accessible(agency)
    agency.get_by_role("button", name="Record as posted").click()
    agency.wait_for_url(re.compile(rf"/briefs/{brief.pk}/$"))
    assert status_of(brief) == "posted"
    # The worker compares the live post with its approval (run here as the worker would run it).
    assert check_post.apply(args=[brief.posting.pk, "recorded"]).get() == "matches"
    open_brief(social, brief)
    assert "Matches its approval" in social.locator("#post-check-heading + p").inner_text()
    assert_accessible(social)
    assert mailed("brief.posted") == ["vws-social"]
    assert "Do the webcare of the posted video" in inbox(social)
    # The calendar shows it on the day it went live, and the slot two weeks ahead is free again.
    reserved.refresh_from_db()
    assert reserved.brief_id is None
    live = Slot.objects.get(brief=brief)
    zone = brief.organisation.zone
    assert live.starts_at.astimezone(zone).date() == brief.posting.posted_at.astimezone(zone).date()
    social.goto(f"/calendar/agenda/?channel={live.channel_id}")
    agenda = social.locator("table").first.inner_text()
    assert brief.title in agenda and "Posted" in agenda
    assert_accessible(social)

    social.goto("/webcare/")
    assert_accessible(social)
    social.get_by_role("link", name=f"Open {brief.reference}").click()
    # A comment team social can't answer alone goes to the press office (the reviewers); the answer comes back.
    social.get_by_text("Ask the press office or another role about a comment").click()
    social.get_by_label("Question").fill("A journalist asks what this video cost. May we answer?")
    social.get_by_role("button", name="Send the question").click()
    social.wait_for_load_state()
    assert mailed("webcare.escalated") == ["vws-reviewer"]
    reviewer = people("vws-reviewer")
    assert "Answer team social's question about a comment" in inbox(reviewer)
    reviewer.locator("section[aria-labelledby=mine-heading]").get_by_role(
        "link", name=re.compile(brief.reference)
    ).click()
    assert_accessible(reviewer)
    reviewer.get_by_label("Your answer").fill("Refer them to the press office; we answer within a day.")
    reviewer.get_by_role("button", name="Send the answer to team social").click()
    reviewer.wait_for_load_state()
    assert mailed("webcare.answered") == ["vws-social"]
    social.reload()
    assert "Refer them to the press office" in social.content()
    assert_accessible(social)
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

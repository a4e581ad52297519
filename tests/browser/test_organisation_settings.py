"""The organisation's settings in a browser: the VWS organisation admin (in Dutch) opens every settings page and axe
finds nothing on any, at a desktop's width and on a phone (where nothing widens the page); they add a person, get a
wrong user name back next to its field, and change a step of the video's approval chain, and see both results."""

import re

import pytest

from accounts.models import Membership
from approvals.models import ApprovalChain
from core import outbox
from core.models import MailStatus, OutgoingMail
from home.demo.world import seed_demo_world

from .conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def settings_pages() -> list[str]:
    adviser = Membership.objects.get(user__username="vws-adviser")
    channel = adviser.organisation.channels.order_by("pk").first()
    base = "/organisation/settings/"
    return [
        base,
        f"{base}people/",
        f"{base}people/?status=ended",
        f"{base}people/new/",
        f"{base}people/{adviser.pk}/",
        f"{base}people/{adviser.pk}/second-factor/",
        f"{base}channels/",
        f"{base}channels/new/",
        f"{base}channels/{channel.pk}/",
        f"{base}agencies/",
        f"{base}approval-chains/",
        f"{base}approval-chains/script/",
        f"{base}approval-chains/video/",
        f"{base}mail/",
        f"{base}mail/?status=failed",
    ]


@pytest.fixture
def demo(live_server):
    seed_demo_world()
    ministry = Membership.objects.get(user__username="vws-admin").organisation
    failed = outbox.queue(
        kind="calendar.at_risk", to="vws-social@example.org", subject="Weken onder het minimum", body="x",
        organisation=ministry,
    )  # fmt: skip
    OutgoingMail.objects.filter(pk=failed.pk).update(
        status=MailStatus.FAILED, attempts=outbox.MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: mailbox full"
    )
    return ministry


def test_every_settings_page_passes_axe_on_a_desktop_and_on_a_phone(page, demo):
    log_in(page, "vws-admin")
    assert page.locator("html").get_attribute("lang") == "nl"
    # The menu leads there.
    page.locator("nav[aria-label] a[href='/organisation/settings/']").click()
    page.wait_for_url(re.compile(r"/organisation/settings/$"))
    for path in settings_pages():
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    assert page.get_by_role("button", name=re.compile("Weken onder het minimum")).count() == 1  # send again

    page.set_viewport_size(PHONE)
    for path in settings_pages():
        page.goto(path)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} is wider than the phone: {width}"
        assert_accessible(page)


def test_an_admin_adds_a_person_and_changes_an_approval_step(page, demo):
    log_in(page, "vws-admin")

    # A user name that exists already comes back next to its field, with what was typed kept.
    page.goto("/organisation/settings/people/new/")
    page.fill("#id_username", "VWS-adviser")
    page.fill("#id_first_name", "Noor")
    page.fill("#id_last_name", "Nieuwland")
    page.fill("#id_email", "noor.nieuwland@example.org")
    page.select_option("#id_role", "adviser")
    page.locator("main form.planner-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_username_error").is_visible()
    assert page.locator("#id_username").get_attribute("aria-invalid") == "true"
    assert page.input_value("#id_last_name") == "Nieuwland"
    assert_accessible(page)

    page.fill("#id_username", "noor-nieuwland")
    page.locator("main form.planner-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/organisation/settings/people/\d+/$"))
    assert "noor-nieuwland" in page.locator("main").inner_text()
    assert page.locator(".utrecht-alert--ok").count() == 1  # the success message
    assert_accessible(page)
    person = Membership.objects.get(user__username="noor-nieuwland")
    assert person.organisation == demo and not person.user.has_usable_password()
    assert OutgoingMail.objects.filter(kind="account.welcome", recipient=person.user).exists()
    page.goto("/organisation/settings/people/")
    assert "noor-nieuwland" in page.locator("main table").inner_text()

    # The video's chain: the second step renamed and made "all of the approvers".
    page.goto("/organisation/settings/approval-chains/video/")
    page.fill("#id_steps-1-name", "Team social (iedereen)")
    page.select_option("#id_steps-1-mode", "all")
    page.locator("main form.planner-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/organisation/settings/approval-chains/$"))
    assert "Team social (iedereen)" in page.locator("main").inner_text()
    assert_accessible(page)
    step = ApprovalChain.objects.get(organisation=demo, stage="video").steps.get(position=2)
    assert (step.name, step.mode) == ("Team social (iedereen)", "all")

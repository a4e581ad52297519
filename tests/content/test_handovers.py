"""Every hand-over between people produces a mail to exactly the people who must act (never the one who acted)
and an entry in their inbox, whose count the navigation shows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Membership
from approvals import inbox
from budget import services as budget
from content import services as content
from content.states import BriefAction
from core.models import MailStatus, OutgoingMail
from tests.mail import deliver
from tests.workflow import Stages, brief_with_agency, new_brief
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db


def _membership(world, persona):
    return Membership.objects.get(user=world.people[persona], organisation=world.ministry)


def _recipients(kind):
    return sorted(OutgoingMail.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _names(world, *personas):
    return sorted(world.people[persona].username for persona in personas)


def test_a_submitted_brief_is_mailed_to_team_social_and_waits_in_their_inbox(world, mailoutbox):
    brief = new_brief(world)
    assert not OutgoingMail.objects.exists()  # a draft is nobody's news
    content.brief_transition(actor=world.people["adviser"], brief=brief, action=BriefAction.SUBMIT)
    assert _recipients("brief.submitted") == _names(world, "team_social")
    deliver()
    (mail,) = mailoutbox
    assert brief.reference in mail.subject and f"/briefs/{brief.pk}/" in mail.body
    items = inbox.waiting_for(world.people["team_social"], _membership(world, "team_social"), now=timezone.now())
    assert [item.brief for item in items] == [brief]


def test_a_returned_brief_tells_its_adviser_why(world, mailoutbox):
    brief = new_brief(world)
    content.brief_transition(actor=world.people["adviser"], brief=brief, action=BriefAction.SUBMIT)
    content.brief_transition(
        actor=world.people["team_social"], brief=brief, action=BriefAction.RETURN, comment="Add the call to action."
    )
    assert _recipients("brief.returned") == _names(world, "adviser")
    deliver()
    (mail,) = [m for m in mailoutbox if m.to == [world.people["adviser"].email]]
    assert "Add the call to action." in mail.body
    # In the adviser's inbox it is a returned brief, not a fresh draft.
    (item,) = inbox.waiting_for(world.people["adviser"], _membership(world, "adviser"), now=timezone.now())
    assert item.brief == brief and item.label.startswith("Returned to you")
    fresh = new_brief(world)
    labels = {
        i.brief: i.label
        for i in inbox.waiting_for(world.people["adviser"], _membership(world, "adviser"), now=timezone.now())
    }
    assert labels[fresh] == "Finish your draft and submit it"


def test_a_brief_sent_to_the_agency_is_mailed_to_that_agencys_people_only(world, mailoutbox):
    brief = brief_with_agency(world)
    # The agency's two people in the ministry; not the other agency's, nor anyone in the municipality.
    assert _recipients("brief.sent") == sorted([world.people["agency_member"].username, "shared-agency"])
    deliver()
    sent = {mail.to: mail for mail in OutgoingMail.objects.filter(kind="brief.sent", status=MailStatus.SENT)}
    assert sorted(sent) == sorted([world.people["agency_member"].email, world.shared_agency_member.email])
    assert brief.title in sent[world.people["agency_member"].email].subject
    assert len(mailoutbox) == 3  # and team social's, of the submission


def test_a_comment_reaches_the_author_the_conversation_and_the_other_side_but_not_the_commenter(world):
    draft = new_brief(world)
    content.comment_add(actor=world.people["team_social"], brief=draft, text="Which source?")
    assert _recipients("brief.commented") == _names(world, "adviser")  # not yet the agency's to see
    OutgoingMail.objects.all().delete()
    brief = brief_with_agency(world)
    OutgoingMail.objects.all().delete()
    content.comment_add(actor=world.people["team_social"], brief=brief, text="No alcohol in the picture.")
    agency = sorted([world.people["agency_member"].username, "shared-agency"])
    assert _recipients("brief.commented") == sorted(_names(world, "adviser") + agency)
    OutgoingMail.objects.all().delete()
    content.comment_add(actor=world.people["agency_member"], brief=brief, text="May we film in a pub?")
    # The author, team social (the other side, and an earlier commenter), never the commenter.
    assert _recipients("brief.commented") == _names(world, "adviser", "team_social")


def test_a_posted_video_gives_team_social_its_webcare_by_mail_and_in_the_inbox(world, client_for):
    stages = Stages(world, now=STAGED_AT)
    assert _recipients("brief.posted") == _names(world, "team_social")
    mail = OutgoingMail.objects.get(kind="brief.posted")
    assert stages.posting.tiktok_url in mail.body
    social = world.people["team_social"]
    items = inbox.waiting_for(social, _membership(world, "team_social"), now=STAGED_AT)
    (webcare,) = [item for item in items if item.link]
    assert webcare.brief == stages.posted and webcare.url == f"/webcare/{stages.webcare.pk}/"
    assert "Assigned to" in client_for(social).get(webcare.url).content.decode()
    assert not webcare.overdue
    later = inbox.waiting_for(
        social, _membership(world, "team_social"), now=stages.webcare.ends_at + timedelta(hours=1)
    )
    assert [item.overdue for item in later if item.link] == [True]
    content.webcare_update(
        actor=social, task=stages.webcare, assignee=social, notes="Answered.", done=True, now=stages.webcare.starts_at
    )
    done = inbox.waiting_for(social, _membership(world, "team_social"), now=STAGED_AT)
    assert not [item for item in done if item.link]


def _proposed_period(world):
    return budget.period_create(
        actor=world.people["team_social"],
        organisation=world.ministry,
        fields={
            "name": "TikTok 2027",
            "starts_on": date(2027, 1, 1),
            "ends_on": date(2027, 12, 31),
            "amount_excl_vat": Decimal("5125.00"),
            "planned_posts": 52,
        },
    )


def test_a_proposed_budget_period_waits_for_the_mt_by_mail_on_its_home_and_in_its_inbox(world, client_for, mailoutbox):
    period = _proposed_period(world)
    assert _recipients("budget.proposed") == _names(world, "management")
    client = client_for(world.people["management"])
    home = client.get("/").content.decode()
    assert "Budget period TikTok 2027" in home and f"?period={period.pk}" in home
    assert "Nothing is waiting for you right now." not in home
    budget.period_approve(actor=world.people["management"], period=period)
    assert "Budget period TikTok 2027" not in client.get("/inbox/").content.decode()
    deliver()  # decided before the worker came round: the mail is no news any more
    assert OutgoingMail.objects.get(kind="budget.proposed").status == MailStatus.SKIPPED
    assert not mailoutbox
    budget.period_update(
        actor=world.people["team_social"], period=period, fields={"amount_excl_vat": Decimal("6000.00")}
    )
    assert OutgoingMail.objects.filter(kind="budget.proposed").count() == 2  # changed after approval: asked again


def test_the_navigation_counts_the_inbox_and_follows_each_hand_over(world, client_for):
    client = client_for(world.people["team_social"])

    def count():
        page = client.get("/calendar/").content.decode()
        nav = page[page.index('aria-label="Main menu"') :]
        nav = nav[: nav.index("</nav>")]
        if "planner-nav__count" not in nav:
            return 0
        return int(nav.split('class="planner-nav__count">')[1].split("<")[0])

    assert count() == 0
    brief = new_brief(world)
    content.brief_transition(actor=world.people["adviser"], brief=brief, action=BriefAction.SUBMIT)
    assert count() == 1
    content.brief_transition(actor=world.people["team_social"], brief=brief, action=BriefAction.SEND)
    assert count() == 0
    page = client.get("/inbox/").content.decode()
    assert "Nothing is waiting for you right now." in page


def test_plain_text_mails_are_not_html_escaped(world, mailoutbox):
    brief = new_brief(world)
    brief.title = "Let's book a booster & stay well"
    brief.save()
    content.brief_transition(actor=world.people["adviser"], brief=brief, action=BriefAction.SUBMIT)
    deliver()
    (mail,) = mailoutbox
    assert "Let's book a booster & stay well" in mail.subject
    assert "Let's book a booster & stay well" in mail.body and "&#x27;" not in mail.body and "&amp;" not in mail.body

"""Webcare under a posted video: the link to its comments, the organisation's reply templates, a question put to
the press office (or another role) with its answer, a due time, and the notes in the list."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from approvals import inbox
from audit.models import AuditEvent
from content import services as content
from content.models import ReplyTemplate, WebcareEscalation
from core.models import OutgoingMail
from tests.workflow import Stages
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db

QUESTION = "A journalist asks what the campaign cost. Do we answer?"


@pytest.fixture
def stages(world):
    return Stages(world, now=STAGED_AT)


def _ask(world, stages, role=Role.REVIEWER):
    return content.webcare_escalate(
        actor=world.people["team_social"], task=stages.webcare, role=role, question=QUESTION, now=STAGED_AT
    )


def _membership(world, persona):
    return Membership.objects.get(user=world.people[persona], organisation=world.ministry)


def test_the_task_page_links_to_the_comments_on_tiktok(world, stages, client_for):
    page = client_for(world.people["team_social"]).get(reverse("webcare_edit", args=[stages.webcare.pk]))
    html = page.content.decode()
    assert f'href="{stages.posting.tiktok_url}" target="_blank" rel="noopener noreferrer"' in html
    assert "Open the video and its comments on TikTok" in html


def test_a_question_reaches_the_press_office_by_mail_and_inbox_and_the_answer_comes_back(world, stages, client_for):
    social, reviewer = world.people["team_social"], world.people["reviewer"]
    response = client_for(social).post(
        reverse("webcare_escalate", args=[stages.webcare.pk]),
        {"role": Role.REVIEWER, "question": QUESTION, "comment_url": "https://www.tiktok.com/@x/video/1?comment=2"},
    )
    assert response.status_code == 302
    escalation = WebcareEscalation.objects.get()
    assert (escalation.role, escalation.asked_by) == (Role.REVIEWER, social)
    mail = OutgoingMail.objects.get(kind="webcare.escalated")
    assert mail.recipient == reviewer and QUESTION in mail.body and f"/webcare/{stages.webcare.pk}/" in mail.body
    (item,) = [i for i in inbox.waiting_for(reviewer, _membership(world, "reviewer"), now=STAGED_AT) if i.link]
    assert item.url == f"/webcare/{stages.webcare.pk}/#answer-{escalation.pk}"

    # The reviewer sees the task, only to answer: no task form, no templates.
    page = client_for(reviewer).get(item.url).content.decode()
    assert QUESTION in page and f'action="/webcare/questions/{escalation.pk}/answer/"' in page
    assert "Reply templates" not in page and "Assigned to" not in page

    # An empty answer keeps the page, with the message at the form.
    empty = client_for(reviewer).post(reverse("webcare_answer", args=[escalation.pk]), {"answer": " "})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()

    answered = client_for(reviewer).post(
        reverse("webcare_answer", args=[escalation.pk]), {"answer": "Refer them to the press office's number."}
    )
    assert answered.status_code == 302
    escalation.refresh_from_db()
    assert escalation.answered_by == reviewer and escalation.answer.startswith("Refer them")
    back = OutgoingMail.objects.get(kind="webcare.answered")
    assert back.recipient == social and "Refer them" in back.body
    assert not [i for i in inbox.waiting_for(reviewer, _membership(world, "reviewer"), now=STAGED_AT) if i.link]
    assert "Refer them to the press office" in client_for(social).get(item.url).content.decode()
    actions = list(AuditEvent.objects.about(stages.posted).values_list("action", flat=True))
    assert actions.count("webcare.escalated") == 1 and actions.count("webcare.answered") == 1


def test_only_the_role_asked_answers_and_only_once(world, stages):
    escalation = _ask(world, stages)
    with pytest.raises(PermissionDenied):
        content.webcare_answer(actor=world.people["adviser"], escalation=escalation, answer="Yes", now=STAGED_AT)
    content.webcare_answer(actor=world.people["reviewer"], escalation=escalation, answer="Yes", now=STAGED_AT)
    with pytest.raises(ValidationError):
        content.webcare_answer(actor=world.people["reviewer"], escalation=escalation, answer="No", now=STAGED_AT)


def test_other_roles_do_not_see_a_task_no_question_was_put_to(world, stages, client_for):
    _ask(world, stages, role=Role.REVIEWER)
    url = reverse("webcare_edit", args=[stages.webcare.pk])
    assert client_for(world.people["management"]).get(url).status_code == 404
    assert client_for(world.people["adviser"]).get(url).status_code == 404
    assert client_for(world.people["reviewer"]).get(url).status_code == 200
    # …and may not change it.
    assert client_for(world.people["reviewer"]).post(url, {"notes": "x"}).status_code == 403


def test_a_question_to_the_advisers_goes_to_the_topic_owner(world, stages):
    _ask(world, stages, role=Role.COMMUNICATION_ADVISER)
    owner = stages.posted.topic.owner
    assert owner is not None
    assert list(OutgoingMail.objects.filter(kind="webcare.escalated").values_list("recipient", flat=True)) == [owner.pk]


def test_a_question_to_a_role_nobody_has_is_refused_with_the_reason(world, stages, client_for):
    Membership.objects.filter(organisation=world.ministry, role=Role.MANAGEMENT).update(
        is_active=False, ended_on=STAGED_AT.date()
    )
    response = client_for(world.people["team_social"]).post(
        reverse("webcare_escalate", args=[stages.webcare.pk]), {"role": Role.MANAGEMENT, "question": QUESTION}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nobody in this organisation has that role" in html and QUESTION in html  # what was typed stays
    assert not WebcareEscalation.objects.exists()


def test_due_time_can_move_but_not_before_the_post_and_an_open_task_past_it_is_overdue(world, stages, client_for):
    social = world.people["team_social"]
    task = stages.webcare
    with pytest.raises(ValidationError):
        content.webcare_update(
            actor=social, task=task, assignee=None, notes="", done=False, ends_at=task.starts_at - timedelta(hours=1),
            now=STAGED_AT,
        )  # fmt: skip
    later = task.ends_at + timedelta(days=2)
    content.webcare_update(actor=social, task=task, assignee=social, notes="", done=False, ends_at=later, now=STAGED_AT)
    task.refresh_from_db()
    assert (
        task.ends_at == later
        and not task.is_overdue(later - timedelta(minutes=1))
        and task.is_overdue(later + timedelta(minutes=1))
    )
    event = AuditEvent.objects.filter(action="webcare.updated").latest("pk")
    assert event.details["ends_at"] == later.isoformat()


def test_the_list_shows_notes_questions_and_filters_overdue(world, stages, client_for):
    social = world.people["team_social"]
    content.webcare_update(
        actor=social, task=stages.webcare, assignee=social, notes="Three questions on side effects answered.",
        done=False, now=STAGED_AT,
    )  # fmt: skip
    _ask(world, stages)
    page = client_for(social).get(reverse("webcare_list")).content.decode()
    assert "Three questions on side effects answered." in page
    assert "1 question waits for an answer" in page
    # Not overdue yet at the staged moment… (the view reads the clock; the task ends a week after posting)
    overdue = client_for(social).get(reverse("webcare_list") + "?show=overdue").content.decode()
    done = client_for(social).get(reverse("webcare_list") + "?show=done").content.decode()
    assert "No webcare tasks of this kind." in done
    assert ("Three questions" in overdue) == stages.webcare.is_overdue(_now())


def _now():
    from django.utils import timezone

    return timezone.now()


def test_reply_templates_are_the_organisations_and_show_on_the_task(world, stages, client_for):
    social = world.people["team_social"]
    client = client_for(social)
    added = client.post(reverse("reply_templates"), {"title": "Thanks", "text": "Thank you! More on rijksoverheid.nl."})
    assert added.status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.organisation == world.ministry
    task_page = client.get(reverse("webcare_edit", args=[stages.webcare.pk])).content.decode()
    assert "Thank you! More on rijksoverheid.nl." in task_page and 'data-copy="reply-' in task_page

    # The same title again, and a text too long for a TikTok comment: messages, and what was typed stays.
    twice = client.post(reverse("reply_templates"), {"title": "thanks", "text": "Again"})
    assert twice.status_code == 400 and 'value="thanks"' in twice.content.decode()
    long = client.post(reverse("reply_templates"), {"title": "Long", "text": "x" * 151})
    assert long.status_code == 400 and "x" * 151 in long.content.decode()
    assert ReplyTemplate.objects.count() == 1

    changed = client.post(reverse("reply_template_edit", args=[template.pk]), {"title": "Thanks", "text": "Thanks!"})
    assert changed.status_code == 302
    template.refresh_from_db()
    assert template.text == "Thanks!"
    assert client.post(reverse("reply_template_remove", args=[template.pk])).status_code == 302
    assert not ReplyTemplate.objects.exists()
    actions = list(AuditEvent.objects.filter(organisation=world.ministry).values_list("action", flat=True))
    assert actions.count("webcare.reply_template_saved") == 2 and "webcare.reply_template_removed" in actions


def test_another_organisations_reply_template_is_not_found(world, client_for):
    theirs = ReplyTemplate.objects.create(organisation=world.municipality, title="Tack", text="Tack!")
    client = client_for(world.people["team_social"])
    assert client.get(reverse("reply_template_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("reply_template_remove", args=[theirs.pk])).status_code == 404
    assert "Tack!" not in client.get(reverse("reply_templates")).content.decode()


def test_the_database_refuses_a_reply_longer_than_a_tiktok_comment(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReplyTemplate.objects.create(organisation=world.ministry, title="Long", text="x" * 151)


def test_opening_the_question_or_answer_address_leads_back_to_the_task(world, stages, client_for):
    escalation = _ask(world, stages)
    ask = client_for(world.people["team_social"]).get(reverse("webcare_escalate", args=[stages.webcare.pk]))
    assert ask.status_code == 302 and ask["Location"] == f"/webcare/{stages.webcare.pk}/#ask"
    answer = client_for(world.people["reviewer"]).get(reverse("webcare_answer", args=[escalation.pk]))
    assert answer.status_code == 302 and answer["Location"] == f"/webcare/{stages.webcare.pk}/#answer-{escalation.pk}"

"""Mails of the brief's hand-overs, through the outbox (``core.outbox``): the services call these inside their
transaction, so a mail is on record exactly when its change is, and none is sent if the change rolls back.

Each mail goes to the people who must act next (team social for a submitted brief, the agency's people for a
sent one, the adviser for a returned one with the reason, team social for a posted video's webcare), or for a
comment to the people in the brief's conversation; never to the person who acted. The key of each mail names
the audit event it tells about, so the same news is never queued twice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import access
from accounts.models import Membership
from accounts.roles import Capability, Role
from core import outbox


def brief_url(brief) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("brief_detail", args=[brief.pk])


def agency_people(brief):
    members = Membership.objects.filter(
        organisation=brief.organisation_id, role=Role.AGENCY_MEMBER, agency=brief.agency_id, is_active=True
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by("pk")


def _mail(kind: str, people, *, brief, actor, event, template: str, **context) -> int:
    """One mail per person (the actor left out); returns how many were queued."""
    return outbox.send_each(
        people,
        leave_out=actor,
        key=f"{kind}:{event.pk}",
        kind=kind,
        template=f"content/email/{template}",
        context={"brief": brief, "url": brief_url(brief), "actor": actor, **context},
        organisation=brief.organisation,
        details={"brief": brief.pk},
    )


def brief_submitted(brief, *, actor, event) -> int:
    """Team social checks a submitted brief and sends it to the agency."""
    people = access.people_with(brief.organisation, Capability.CHECK_BRIEFS)
    return _mail("brief.submitted", people, brief=brief, actor=actor, event=event, template="submitted")


def brief_returned(brief, *, actor, event, reason: str) -> int:
    """The adviser who wrote the brief changes it, for the reason given."""
    people = get_user_model().objects.filter(
        pk=brief.created_by_id,
        is_active=True,
        memberships__organisation=brief.organisation_id,
        memberships__is_active=True,
    )
    return _mail("brief.returned", people, brief=brief, actor=actor, event=event, template="returned", reason=reason)


def brief_sent(brief, *, actor, event) -> int:
    """The agency's people write a script for a brief sent to them."""
    return _mail("brief.sent", agency_people(brief), brief=brief, actor=actor, event=event, template="sent")


def comment_added(comment, *, actor, event) -> int:
    """A new comment reaches the brief's author, everyone who commented on it before, and the other side of the
    work: the agency's people for a comment from the organisation (once the brief is theirs to see), team social
    for a comment from the agency."""
    brief = comment.brief
    earlier = set(brief.comments.exclude(pk=comment.pk).values_list("author_id", flat=True))
    from_agency = access.can(actor, Capability.PRODUCE_CONTENT, brief.organisation_id)
    other_side = (
        access.people_with(brief.organisation, Capability.CHECK_BRIEFS) if from_agency else agency_people(brief)
    )
    wanted = {brief.created_by_id, *earlier, *other_side.values_list("pk", flat=True)}
    people = get_user_model().objects.filter(pk__in=wanted, is_active=True).order_by("pk")
    allowed = [person for person in people if _sees(person, brief)]
    return _mail(
        "brief.commented", allowed, brief=brief, actor=actor, event=event, template="commented", comment=comment
    )


def _sees(person, brief) -> bool:
    from .models import Brief

    membership = access.membership_in(person, brief.organisation_id)
    return membership is not None and Brief.objects.visible_to(membership).filter(pk=brief.pk).exists()


def brief_posted(posting, task, *, actor, event) -> int:
    """Team social does the webcare of a posted video: reads and answers its comments until the task ends."""
    brief = posting.brief
    people = access.people_with(brief.organisation, Capability.CHECK_BRIEFS)
    return _mail(
        "brief.posted", people, brief=brief, actor=actor, event=event, template="posted", posting=posting, task=task
    )


def webcare_url(task) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("webcare_edit", args=[task.pk])


def escalation_people(brief, role: str):
    """Who answers a webcare question put to ``role``: the topic's own adviser when the question goes to the
    advisers and the topic has one, else everyone active in the role."""
    people = access.people_with_role(brief.organisation, role)
    if role == Role.COMMUNICATION_ADVISER and brief.topic_id and brief.topic.owner_id:
        own = people.filter(pk=brief.topic.owner_id)
        if own.exists():
            return own
    return people


def webcare_escalated(escalation, people, *, actor, event) -> int:
    """The people in the role a webcare question was put to answer it on the task."""
    task = escalation.task
    return _mail(
        "webcare.escalated",
        people,
        brief=task.posting.brief,
        actor=actor,
        event=event,
        template="escalated",
        escalation=escalation,
        task_url=webcare_url(task),
    )


def webcare_answered(escalation, *, actor, event) -> int:
    """Whoever asked, and the task's assignee, reply under the video with the answer."""
    task = escalation.task
    wanted = {escalation.asked_by_id, task.assignee_id} - {None}
    people = get_user_model().objects.filter(pk__in=wanted, is_active=True).order_by("pk")
    return _mail(
        "webcare.answered",
        people,
        brief=task.posting.brief,
        actor=actor,
        event=event,
        template="answered",
        escalation=escalation,
        task_url=webcare_url(task),
    )

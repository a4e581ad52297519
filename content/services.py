"""Writes to briefs and what hangs off them. Every function names its actor and writes an audit event.

Services check permission themselves (through ``content.permissions``) as well as the views, so a
Celery task or a management command can't do what the person could not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin

from . import media, notifications, planning, states
from .models import (
    ESCALATION_ROLES,
    Attachment,
    Brief,
    BriefConstraint,
    Comment,
    Creator,
    FocusGroupTest,
    FollowUp,
    Posting,
    ReplyTemplate,
    Topic,
    WebcareEscalation,
    WebcareTask,
)
from .permissions import Act, brief_actions, require_act

BRIEF_FIELDS = (
    "channel",
    "agency",
    "topic",
    "title",
    "key_message",
    "target_audience",
    "call_to_action",
    "source_url",
    "posting_window_start",
    "posting_window_end",
)
TOPIC_FIELDS = ("name", "theme", "audience_min_age", "audience_max_age", "owner", "is_sensitive", "tags")
CREATOR_FIELDS = (
    "handle",
    "display_name",
    "follower_count",
    "is_influencer",
    "maker_group",
    "consent_date",
)
WEBCARE_PERIOD = timedelta(days=7)


def _set_constraints(brief: Brief, constraints: list[str]) -> None:
    texts = [text.strip() for text in constraints if text and text.strip()]
    brief.constraints.all().delete()
    BriefConstraint.objects.bulk_create(
        BriefConstraint(brief=brief, position=i, text=text[:200]) for i, text in enumerate(texts, start=1)
    )


@transaction.atomic
def brief_create(*, actor, organisation, fields: dict, constraints: list[str], origin: Origin | None = None) -> Brief:
    """A new draft brief by ``actor`` (a communication adviser, campaign manager or team social)."""
    brief = Brief(organisation=organisation, created_by=actor, **{k: fields[k] for k in BRIEF_FIELDS if k in fields})
    brief.full_clean()
    if Act.EDIT not in brief_actions(actor, brief):
        raise PermissionDenied(_("Your role may not draft briefs."))
    brief.save()
    _set_constraints(brief, constraints)
    trail.record_about(
        brief, actor=actor, action=AuditAction.BRIEF_CREATED, obj=brief, origin=origin, title=brief.title
    )
    return brief


@transaction.atomic
def brief_update(*, actor, brief: Brief, fields: dict, constraints: list[str], origin: Origin | None = None) -> Brief:
    brief = Brief.objects.select_for_update().get(pk=brief.pk)
    require_act(actor, brief, Act.EDIT)
    changed = sorted(k for k in BRIEF_FIELDS if k in fields and getattr(brief, k) != fields[k])
    for key in BRIEF_FIELDS:
        if key in fields:
            setattr(brief, key, fields[key])
    brief.full_clean()
    brief.save()
    old_constraints = list(brief.constraints.values_list("text", flat=True))
    _set_constraints(brief, constraints)
    if old_constraints != list(brief.constraints.values_list("text", flat=True)):
        changed.append("constraints")
    trail.record_about(brief, actor=actor, action=AuditAction.BRIEF_UPDATED, obj=brief, origin=origin, fields=changed)
    return brief


_ACTION_ACT = {
    states.BriefAction.SUBMIT: Act.SUBMIT,
    states.BriefAction.RETURN: Act.RETURN,
    states.BriefAction.SEND: Act.SEND,
    states.BriefAction.CANCEL: Act.CANCEL,
}


@transaction.atomic
def brief_transition(*, actor, brief: Brief, action: str, comment: str = "", origin: Origin | None = None) -> Brief:
    """Submit, return (with a reason), send to the agency, or cancel a brief."""
    if action not in _ACTION_ACT:
        raise PermissionDenied(_("Unknown action."))
    require_act(actor, brief, _ACTION_ACT[action])
    comment = comment.strip()
    if action in (states.BriefAction.RETURN, states.BriefAction.CANCEL) and not comment:
        raise ValidationError(_("Say why, so the adviser knows what to change."), code="reason_required")
    if action == states.BriefAction.SUBMIT and not brief.constraints.exists():
        raise ValidationError(_("Add at least one constraint before you submit the brief."), code="no_constraints")
    states.apply(brief, action)
    if comment:
        Comment.objects.create(brief=brief, author=actor, text=comment)
    event = trail.record_about(
        brief, actor=actor, action=f"brief.{action}", obj=brief, origin=origin, status=brief.status, comment=comment
    )
    # The hand-over: whoever must act next hears of it (in this transaction, through the outbox).
    if action == states.BriefAction.SUBMIT:
        notifications.brief_submitted(brief, actor=actor, event=event)
    elif action == states.BriefAction.RETURN:
        notifications.brief_returned(brief, actor=actor, event=event, reason=comment)
    elif action == states.BriefAction.SEND:
        notifications.brief_sent(brief, actor=actor, event=event)
    return brief


@transaction.atomic
def comment_add(
    *, actor, brief: Brief, text: str, script_version=None, video_version=None, origin: Origin | None = None
) -> Comment:
    require_act(actor, brief, Act.COMMENT)
    if not text.strip():
        raise ValidationError(_("Write a comment first."), code="empty")
    comment = Comment.objects.create(
        brief=brief, author=actor, text=text.strip(), script_version=script_version, video_version=video_version
    )
    event = trail.record_about(brief, actor=actor, action=AuditAction.COMMENT_ADDED, obj=comment, origin=origin)
    notifications.comment_added(comment, actor=actor, event=event)
    return comment


TIKTOK_VIDEO_URL = re.compile(
    r"^https://(?:www\.|m\.)?tiktok\.com/@(?P<handle>[A-Za-z0-9_.]{2,24})/video/(?P<id>\d{15,25})/?(?:\?.*)?$"
)


@dataclass(frozen=True)
class TikTokLink:
    handle: str
    video_id: str


def parse_tiktok_url(url: str) -> TikTokLink:
    match = TIKTOK_VIDEO_URL.match(url.strip())
    if not match:
        raise ValidationError(
            _(
                "Give the video's full TikTok address, like https://www.tiktok.com/@account/video/7077642457847991554 "
                "(a short vm.tiktok.com link can't be checked)."
            ),
            code="bad_url",
        )
    return TikTokLink(handle=match["handle"], video_id=match["id"])


@transaction.atomic
def posting_record(
    *, actor, brief: Brief, tiktok_url: str, posted_at: datetime, now: datetime, origin: Origin | None = None
):
    """The agency reports the approved video as posted (at ``posted_at``, not after ``now``); team social gets
    a webcare task for it."""
    brief = Brief.objects.select_for_update().select_related("organisation", "channel").get(pk=brief.pk)
    require_act(actor, brief, Act.POST)
    link = parse_tiktok_url(tiktok_url)
    if link.handle.lower() != brief.channel.handle.lower():
        raise ValidationError(
            _("This video is on @%(handle)s, not on the brief's channel @%(channel)s.")
            % {"handle": link.handle, "channel": brief.channel.handle},
            code="wrong_channel",
        )
    if Posting.objects.filter(tiktok_video_id=link.video_id).exists():
        raise ValidationError(_("This TikTok video has already been recorded for another brief."), code="duplicate")
    if posted_at > now + timedelta(minutes=5):  # a few minutes' grace for clocks that differ
        raise ValidationError(_("The posting time lies in the future."), code="future")
    video = brief.approved_video
    if video is None:
        raise ValidationError(_("There is no approved video for this brief."), code="no_approved_video")
    posting = Posting.objects.create(
        brief=brief,
        video_version=video,
        tiktok_url=tiktok_url.strip(),
        tiktok_video_id=link.video_id,
        posted_at=posted_at,
        recorded_by=actor,
    )
    states.apply(brief, states.BriefAction.POST)
    trail.record_about(
        brief,
        actor=actor,
        action=AuditAction.BRIEF_POSTED,
        obj=posting,
        origin=origin,
        video_id=link.video_id,
        version=video.number,
    )
    # The calendar shows the post where it went live (the slot of that day), not where it was planned.
    planning.tell("brief_posted", posting=posting, actor=actor, origin=origin)
    task = WebcareTask.objects.create(posting=posting, starts_at=posted_at, ends_at=posted_at + WEBCARE_PERIOD)
    event = trail.record_about(
        brief, actor=None, action=AuditAction.WEBCARE_CREATED, obj=task, origin=Origin.system("posting")
    )
    notifications.brief_posted(posting, task, actor=actor, event=event)
    return posting


@transaction.atomic
def webcare_update(
    *,
    actor,
    task: WebcareTask,
    assignee,
    notes: str,
    done: bool,
    now: datetime,
    ends_at: datetime | None = None,
    origin: Origin | None = None,
):
    """Who does it, the notes, done or not, and (``ends_at``) until when the comments are watched: the task is
    overdue once that has passed and it is not done."""
    brief = task.posting.brief
    require_in(actor, brief.organisation_id, Capability.CHECK_BRIEFS)
    changes = {}
    if ends_at is not None and ends_at != task.ends_at:
        if ends_at < task.starts_at:
            raise ValidationError(
                {"ends_at": _("The webcare can't end before the video was posted.")}, code="before_posting"
            )
        changes["ends_at"] = ends_at.isoformat()
        task.ends_at = ends_at
    task.assignee = assignee
    task.notes = notes
    if done and task.done_at is None:
        task.done_at, task.done_by = now, actor
    elif not done:
        task.done_at, task.done_by = None, None
    task.save()
    trail.record_about(
        brief, actor=actor, action=AuditAction.WEBCARE_UPDATED, obj=task, origin=origin, done=done, **changes
    )
    return task


@transaction.atomic
def webcare_escalate(
    *, actor, task: WebcareTask, role: str, question: str, comment_url: str = "", now: datetime, origin=None
) -> WebcareEscalation:
    """Team social puts a comment it can't answer alone to another role (the press office by default); everyone
    active in that role is told, by mail and in the inbox, and answers on the task."""
    brief = task.posting.brief
    require_in(actor, brief.organisation_id, Capability.CHECK_BRIEFS)
    if role not in ESCALATION_ROLES:
        raise ValidationError({"role": _("Choose who should answer.")}, code="role")
    if not question.strip():
        raise ValidationError({"question": _("Say what you want to know.")}, code="no_question")
    people = notifications.escalation_people(brief, role)
    if not people.exists():
        raise ValidationError(
            {"role": _("Nobody in this organisation has that role: ask the organisation admin to name someone.")},
            code="nobody",
        )
    escalation = WebcareEscalation.objects.create(
        task=task, role=role, question=question.strip(), comment_url=comment_url.strip(), asked_by=actor, asked_at=now
    )
    event = trail.record_about(
        brief, actor=actor, action=AuditAction.WEBCARE_ESCALATED, obj=escalation, origin=origin, role=role
    )
    notifications.webcare_escalated(escalation, people, actor=actor, event=event)
    return escalation


@transaction.atomic
def webcare_answer(*, actor, escalation: WebcareEscalation, answer: str, now: datetime, origin=None):
    """Someone in the role the question was put to answers it; whoever asked, and the task's assignee, hear of it."""
    escalation = (
        WebcareEscalation.objects.select_for_update().select_related("task__posting__brief").get(pk=escalation.pk)
    )
    brief = escalation.task.posting.brief
    membership = require_in(actor, brief.organisation_id, Capability.VIEW_BRIEFS)
    if membership.role != escalation.role:
        raise PermissionDenied(_("This question was put to another role."))
    if escalation.answered_at is not None:
        raise ValidationError(_("This question has been answered already."), code="answered")
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")}, code="no_answer")
    escalation.answer, escalation.answered_by, escalation.answered_at = answer.strip(), actor, now
    escalation.save(update_fields=["answer", "answered_by", "answered_at"])
    event = trail.record_about(
        brief, actor=actor, action=AuditAction.WEBCARE_ANSWERED, obj=escalation, origin=origin, role=escalation.role
    )
    notifications.webcare_answered(escalation, actor=actor, event=event)
    return escalation


@transaction.atomic
def reply_template_save(*, actor, organisation, template: ReplyTemplate | None, title: str, text: str, origin=None):
    """A new reply template (``template`` None) or a change to one; the organisation's, for everyone in team
    social."""
    require_in(actor, organisation.pk, Capability.CHECK_BRIEFS)
    if template is not None and template.organisation_id != organisation.pk:
        raise PermissionDenied
    template = template or ReplyTemplate(organisation=organisation)
    template.title, template.text = title.strip(), text.strip()
    template.full_clean()
    template.save()
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.REPLY_TEMPLATE_SAVED,
        obj=template,
        origin=origin,
        details={"title": template.title},
    )
    return template


@transaction.atomic
def reply_template_remove(*, actor, template: ReplyTemplate, origin=None) -> None:
    require_in(actor, template.organisation_id, Capability.CHECK_BRIEFS)
    trail.record(
        organisation=template.organisation,
        actor=actor,
        action=AuditAction.REPLY_TEMPLATE_REMOVED,
        obj=template,
        origin=origin,
        details={"title": template.title, "text": template.text},
    )
    template.delete()


@transaction.atomic
def attachment_add(*, actor, brief: Brief, file, content_type: str, origin: Origin | None = None) -> Attachment:
    """A document or picture for the agency (checked by ``media.inspect_attachment`` first)."""
    require_act(actor, brief, Act.ATTACH)
    attachment = Attachment(
        brief=brief,
        file=file,
        name=media.name_for(file.name, content_type),
        content_type=content_type,
        uploaded_by=actor,
    )
    attachment.save()
    trail.record_about(
        brief,
        actor=actor,
        action=AuditAction.ATTACHMENT_ADDED,
        obj=attachment,
        origin=origin,
        name=attachment.name,
        type=content_type,
    )
    return attachment


@transaction.atomic
def focus_group_record(
    *, actor, brief: Brief, tested_on, group_description: str, participants: int, outcome: str, origin=None
) -> FocusGroupTest:
    require_act(actor, brief, Act.FOCUS_GROUP)
    test = FocusGroupTest(
        brief=brief,
        tested_on=tested_on,
        group_description=group_description,
        participants=participants,
        outcome=outcome,
        recorded_by=actor,
    )
    test.full_clean()
    test.save()
    trail.record_about(
        brief, actor=actor, action=AuditAction.FOCUS_GROUP_RECORDED, obj=test, origin=origin, tested_on=str(tested_on)
    )
    return test


@transaction.atomic
def topic_create(*, actor, organisation, fields: dict, origin: Origin | None = None) -> Topic:
    """A new topic of the organisation (name, theme, owner, sensitive, tags), by someone who drafts briefs."""
    require_in(actor, organisation.pk, Capability.DRAFT_BRIEFS)
    topic = Topic(organisation=organisation, **{k: fields[k] for k in TOPIC_FIELDS if k in fields})
    topic.full_clean()
    topic.save()
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.TOPIC_CREATED,
        obj=topic,
        origin=origin,
        details={"name": topic.name, "sensitive": topic.is_sensitive},
    )
    return topic


@transaction.atomic
def creator_create(*, actor, organisation, fields: dict, origin: Origin | None = None) -> Creator:
    """A creator of the actor's own agency (an agency member's, in the organisation they work for now)."""
    membership = require_in(actor, organisation.pk, Capability.PRODUCE_CONTENT)
    creator = Creator(agency=membership.agency, **{k: fields[k] for k in CREATOR_FIELDS if k in fields})
    creator.full_clean()
    creator.save()
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.CREATOR_CREATED,
        obj=creator,
        origin=origin,
        details={"handle": creator.handle},
    )
    return creator


@transaction.atomic
def follow_up_close(*, actor, follow_up: FollowUp, note: str, now: datetime, origin: Origin | None = None) -> FollowUp:
    """Team social closes a follow-up with what was done (the agency corrected the caption, the video came down, the
    release was extended); a later check that finds the same again opens a new one."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    require_in(actor, follow_up.organisation_id, Capability.CHECK_BRIEFS)
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up was closed already."), code="closed")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done about it.")}, code="no_note")
    follow_up.done_at, follow_up.done_by, follow_up.note = now, actor, note
    follow_up.save(update_fields=["done_at", "done_by", "note"])
    trail.record(
        organisation=follow_up.organisation,
        actor=actor,
        action=AuditAction.FOLLOW_UP_DONE,
        obj=follow_up,
        subject=follow_up.brief,
        origin=origin,
        details={"kind": follow_up.kind, "note": note},
    )
    return follow_up

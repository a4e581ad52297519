"""What waits for a person, and what waits for others: the inbox and the home page ask here.

A fixed number of queries whatever the number of items: the rules run as one query
(``rules.runs_awaiting``) and brief actions are computed with the membership already at hand.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from accounts import access
from accounts.roles import Capability
from audit.models import AuditEvent
from content import planning, states
from content.models import ESCALATION_ROLES, Brief, FollowUp, WebcareEscalation, WebcareTask
from content.permissions import Act, brief_actions
from core import dates, hooks

from . import rules
from .models import ApprovalRun, RunStatus, Stage, current_step_labels


@dataclass(frozen=True)
class Item:
    """Something to do: about a brief (its reference and title head the item), or about something else (a budget
    period, from the ``inbox_items`` hook) with its own ``heading`` and ``link``."""

    brief: Brief | None
    label: str
    since: datetime | None
    overdue: bool = False
    heading: str = ""
    link: str = ""

    @property
    def url(self) -> str:
        return self.link or reverse("brief_detail", args=[self.brief.pk])

    @property
    def title(self) -> str:
        return self.heading or f"{self.brief.reference}: {self.brief.title}"


def _overdue(since, organisation, now: datetime) -> bool:
    return since is not None and since < now - timedelta(days=organisation.approval_reminder_days)


def _review_item(run, label: str, organisation, now: datetime) -> Item:
    """A version in review, opening on its review page."""
    return Item(
        run.brief,
        label,
        run.step_started_at,
        _overdue(run.step_started_at, organisation, now),
        link=reverse("review", args=[run.pk]),
    )


def _with_versions(runs):
    return runs.select_related("brief", "script_version", "video_version").order_by("step_started_at")


def waiting_for(user, membership, *, now: datetime) -> list[Item]:
    """Items on which ``user`` is the next to act, oldest first (overdue as of ``now``)."""
    if membership is None:
        return []
    organisation = membership.organisation
    items = []
    for run in _with_versions(rules.runs_awaiting(user, organisation)):
        label = _("Decide on %(stage)s version %(version)s") % {
            "stage": run.get_stage_display().lower(),
            "version": run.version.number,
        }
        items.append(_review_item(run, label, organisation, now))
    # Apps above add their own (budget: periods that wait for the MT).
    for hook in hooks.get("inbox_items"):
        items.extend(hook(user, membership, now=now))
    caps = access.capabilities(membership)
    if Capability.CHECK_BRIEFS in caps:
        items.extend(_webcare(membership, now))
        items.extend(_follow_ups(membership, now))
    if membership.role in ESCALATION_ROLES:
        items.extend(_webcare_questions(membership, now))
    if not caps & {Capability.CHECK_BRIEFS, Capability.PRODUCE_CONTENT, Capability.DRAFT_BRIEFS}:
        return items
    candidates = Brief.objects.visible_to(membership).filter(status__in=states.OPEN_STATES)
    open_items = set(
        ApprovalRun.objects.filter(status=RunStatus.IN_PROGRESS, brief__in=candidates).values_list("brief_id", "stage")
    )
    candidates = list(candidates.order_by("updated_at"))
    # A draft that has been returned once is a returned brief until it is submitted again (only a return brings a
    # brief back to draft).
    returned = set(
        AuditEvent.objects.filter(
            action="brief.return",
            subject_type=Brief._meta.label_lower,
            subject_id__in=[str(b.pk) for b in candidates if b.status == states.S.DRAFT],
        ).values_list("subject_id", flat=True)
    )
    ready = [brief.pk for brief in candidates if brief.status == states.S.READY_TO_POST]
    planned = planning.planned_postings(ready)
    zone = organisation.zone
    plans_calendar = Capability.PLAN_CALENDAR in caps
    for brief in candidates:
        acts = brief_actions(user, brief, membership)
        label, link = None, ""
        if Act.SEND in acts:
            label = _("Check the brief and send it to the agency")
        elif Act.SUBMIT in acts and brief.created_by_id == user.pk and str(brief.pk) in returned:
            label = _("Returned to you: change the brief and submit it again (the reason is on the brief)")
        elif Act.SUBMIT in acts and brief.created_by_id == user.pk:
            label = _("Finish your draft and submit it")
        elif Act.ADD_SCRIPT in acts and (brief.pk, Stage.SCRIPT) not in open_items:
            label = _("Write a script (or a new version)")
        elif Act.POST in acts and brief.pk in planned:
            label = _("Post the approved video on %(when)s with its hand-off package, and record its URL") % {
                "when": dates.moment(planned[brief.pk], "weekday", zone)
            }
        elif Act.POST in acts:
            label = _("Post the approved video once team social has planned its slot, and record its URL")
        elif Act.ADD_VIDEO in acts and (brief.pk, Stage.VIDEO) not in open_items:
            label = _("Deliver a video (or a new version)")
        elif plans_calendar and brief.pk in ready and brief.pk not in planned:
            label = _("Plan a slot in the calendar for the approved video")
            link = f"{reverse('calendar_agenda')}?channel={brief.channel_id}"
        if label:
            items.append(Item(brief, label, brief.updated_at, link=link))
    return items


def _webcare(membership, now: datetime) -> list[Item]:
    """Posted videos whose webcare (reading and answering the comments) is not done: overdue once its time ended."""
    tasks = (
        WebcareTask.objects.filter(posting__brief__in=Brief.objects.visible_to(membership), done_at__isnull=True)
        .select_related("posting__brief")
        .order_by("ends_at")
    )
    zone = membership.organisation.zone
    return [
        Item(
            task.posting.brief,
            _("Do the webcare of the posted video, until %(end)s")
            % {"end": formats.date_format(task.ends_at.astimezone(zone), "SHORT_DATETIME_FORMAT")},
            task.starts_at,
            overdue=task.ends_at < now,
            link=reverse("webcare_edit", args=[task.pk]),
        )
        for task in tasks
    ]


def _follow_ups(membership, now: datetime) -> list[Item]:
    """What the checks found for team social to look into (a live post that differs from its approval, a video
    posted without one, rights that end)."""
    follow_ups = FollowUp.objects.visible_to(membership).open().select_related("brief", "channel").order_by("due_at")
    return [
        Item(
            follow_up.brief,
            follow_up.get_kind_display(),
            follow_up.created_at,
            overdue=follow_up.is_overdue(now),
            heading=""
            if follow_up.brief
            else _("Video %(id)s on @%(handle)s")
            % {"id": follow_up.tiktok_video_id, "handle": follow_up.channel.handle if follow_up.channel else "?"},
            link=reverse("follow_up_detail", args=[follow_up.pk]),
        )
        for follow_up in follow_ups
    ]


def _webcare_questions(membership, now: datetime) -> list[Item]:
    """Questions webcare put to the person's role (the press office, say) that nobody has answered yet; overdue once
    the webcare itself should be done."""
    questions = (
        WebcareEscalation.objects.filter(
            task__in=WebcareTask.objects.visible_to(membership), role=membership.role, answered_at__isnull=True
        )
        .select_related("task__posting__brief")
        .order_by("asked_at", "pk")
    )
    return [
        Item(
            question.task.posting.brief,
            _("Answer team social's question about a comment under the posted video"),
            question.asked_at,
            overdue=question.task.ends_at < now,
            link=reverse("webcare_edit", args=[question.task_id]) + f"#answer-{question.pk}",
        )
        for question in questions
    ]


def waiting_for_others(user, membership, *, now: datetime) -> list[Item]:
    """Open reviews in the organisation (visible to the user) that wait for someone else (overdue as of
    ``now``)."""
    if membership is None:
        return []
    organisation = membership.organisation
    mine = rules.runs_awaiting(user, organisation).values("pk")
    runs = _with_versions(
        ApprovalRun.objects.filter(
            status=RunStatus.IN_PROGRESS, brief__in=Brief.objects.visible_to(membership)
        ).exclude(pk__in=mine)
    )
    runs = list(runs)
    steps = current_step_labels(runs)
    return [
        _review_item(
            run,
            _("%(stage)s version %(version)s waits for: %(step)s")
            % {"stage": run.get_stage_display(), "version": run.version.number, "step": steps.get(run.pk, "")},
            organisation,
            now,
        )
        for run in runs
    ]

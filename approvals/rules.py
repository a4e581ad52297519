"""Who may decide on an approval run's current step, and why not: enforced here and nowhere else.

Rules (the database backs them where it can):
* only the current step's approvers act (their role, or only the topic's owner);
* nobody approves their own upload; agency members never approve;
* one decision per approver per step; a stale version or a finished run is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext, gettext_noop, override

from accounts.models import Membership
from accounts.roles import Role

from .models import ApprovalRun, Decision, RunStatus, RunStep, Stage


@dataclass(frozen=True)
class Reason:
    """Why an attempt is refused: an English message (marked for the catalogues) and the values it names,
    so the person who tried reads it in their language, and the audit trail keeps it for readers in theirs."""

    message: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        text = gettext(self.message)
        return text % {key: gettext(value) for key, value in self.params.items()} if self.params else text


def approvers_for(run: ApprovalRun, step: RunStep) -> QuerySet:
    """The people who may decide on ``step`` of ``run`` (current members only)."""
    members = Membership.objects.filter(organisation_id=run.brief.organisation_id, role=step.role, is_active=True)
    if step.topic_owner_only and run.brief.topic.owner_id:
        members = members.filter(user_id=run.brief.topic.owner_id)
    uploader = run.version.created_by_id
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=members.values("user_id"))
        .exclude(pk=uploader)
        .order_by("last_name", "first_name", "username")
    )


def latest_version_number(run: ApprovalRun) -> int | None:
    versions = run.brief.script_versions if run.stage == Stage.SCRIPT else run.brief.video_versions
    return versions.order_by("-number").values_list("number", flat=True).first()


def refusal_reason(user, run: ApprovalRun, *, version_number: int, step_position: int) -> Reason | None:
    """Why ``user`` may not decide on ``run`` now, or None if they may."""
    version = run.version
    if version_number != version.number or latest_version_number(run) != version.number:
        return Reason(gettext_noop("A newer version has been delivered since; decide on the newest version instead."))
    if not run.is_open:
        with override("en"):  # kept in the source language; translated when read
            status = str(run.get_status_display())
        return Reason(gettext_noop("This review has already finished: %(status)s."), {"status": status})
    if step_position != run.current_position:
        return Reason(
            gettext_noop("This step has already been decided by someone else. Reload the page to see where it stands.")
        )
    membership = Membership.objects.filter(user=user, organisation_id=run.brief.organisation_id, is_active=True).first()
    if membership is None:
        return Reason(gettext_noop("You are not a member of this organisation."))
    if membership.role == Role.AGENCY_MEMBER:
        return Reason(gettext_noop("Agency members never approve their own work."))
    if version.created_by_id == user.pk:
        return Reason(gettext_noop("You delivered this version yourself, so someone else must decide on it."))
    step = run.current_step()
    if not approvers_for(run, step).filter(pk=user.pk).exists():
        return Reason(
            gettext_noop("Only the approvers of this step (%(step)s) may decide on it."), {"step": step.label}
        )
    if step.decisions.filter(actor=user).exists():
        return Reason(gettext_noop("You have already decided on this step."))
    return None


def may_decide(user, run: ApprovalRun) -> bool:
    if not run.is_open:
        return False
    return refusal_reason(user, run, version_number=run.version.number, step_position=run.current_position) is None


def runs_awaiting(user, organisation) -> QuerySet[ApprovalRun]:
    """The open runs of ``organisation`` on which ``user`` may decide now, as one query.

    The same rules as ``refusal_reason``, for lists (inbox, home page); a test checks that both
    agree on every run. Open runs are always on their item's newest version (a new version cancels
    the open run), so staleness needs no check here.
    """
    membership = Membership.objects.filter(user=user, organisation=organisation, is_active=True).first()
    if membership is None or membership.role == Role.AGENCY_MEMBER or not user.is_active:
        return ApprovalRun.objects.none()
    current = RunStep.objects.filter(run=OuterRef("pk"), position=OuterRef("current_position"))
    return (
        ApprovalRun.objects.filter(status=RunStatus.IN_PROGRESS, brief__organisation=organisation)
        .annotate(
            step_role=Subquery(current.values("role")[:1]),
            step_owner_only=Subquery(current.values("topic_owner_only")[:1]),
            step_pk=Subquery(current.values("pk")[:1]),
        )
        .filter(step_role=membership.role)
        .filter(Q(step_owner_only=False) | Q(brief__topic__owner__isnull=True) | Q(brief__topic__owner=user))
        .exclude(script_version__created_by=user)
        .exclude(video_version__created_by=user)
        .exclude(Exists(Decision.objects.filter(step_id=OuterRef("step_pk"), actor=user)))
    )

"""E-mail notifications of the approval workflow, through the outbox (core.outbox): services call these inside
their transaction, so the mails are on record exactly when the change is, and nothing is sent if it rolls back.

Each mail's key says what it is about (the run, the step, the person), so the same news is never queued twice.
"""

from django.conf import settings
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from content import planning
from core import outbox

from . import rules
from .models import ApprovalRun, RunStatus, Stage


def brief_url(run) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("brief_detail", args=[run.brief_id])


def approvers_waiting(run, *, reminder_on=None) -> int:
    """Tell the approvers of the run's current step that a version waits for them (``reminder_on``: the day of
    the daily reminder, which is news once a day). Returns how many mails were queued."""
    if outbox.is_muted():  # an import of history (the demo): nobody to tell
        return 0
    step = run.current_step()
    decided = set(step.decisions.values_list("actor_id", flat=True))
    context = {"run": run, "brief": run.brief, "url": brief_url(run), "step": step, "reminder": bool(reminder_on)}
    queued = 0
    for person in rules.approvers_for(run, step).exclude(pk__in=decided):
        kind = "approval.reminder" if reminder_on else "approval.waiting"
        key = f"{kind}:{run.pk}:{step.position}:{person.pk}" + (f":{reminder_on}" if reminder_on else "")
        mail = outbox.send(
            kind=kind,
            template="approvals/email/waiting",
            context=context,
            person=person,
            organisation=run.brief.organisation,
            key=key,
            details={"run": run.pk, "position": step.position},
        )
        queued += mail is not None
    return queued


def feedback_for_agency(run) -> int:
    """Tell the agency's people how the review of their version ended."""
    if outbox.is_muted():  # an import of history (the demo): nobody to tell
        return 0
    members = Membership.objects.filter(
        organisation=run.brief.organisation, role=Role.AGENCY_MEMBER, agency=run.brief.agency, is_active=True
    ).select_related("user")
    # An approved video: when to post it (its slot), or that team social still plans it.
    ready_to_post = run.status == RunStatus.APPROVED and run.stage == Stage.VIDEO
    context = {
        "run": run,
        "brief": run.brief,
        "url": brief_url(run),
        "decision": run.decisions.order_by("-decided_at").first(),
        "ready_to_post": ready_to_post,
        "planned": planning.planned_posting(run.brief) if ready_to_post else None,
    }
    queued = 0
    for membership in members:
        if not membership.user.is_active:
            continue
        mail = outbox.send(
            kind="approval.finished",
            template="approvals/email/finished",
            context=context,
            person=membership.user,
            organisation=run.brief.organisation,
            key=f"approval.finished:{run.pk}:{membership.user_id}",
        )
        queued += mail is not None
    return queued


@outbox.still_needed("approval.waiting")
@outbox.still_needed("approval.reminder")
def _step_still_open(mail) -> bool:
    """A version waits for the step only until the step is decided: after that the mail is no news."""
    run = ApprovalRun.objects.filter(pk=mail.details.get("run")).first()
    return run is not None and run.is_open and run.current_position == mail.details.get("position")

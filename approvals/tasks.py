"""Celery tasks of the approval workflow. Each takes ids, reloads, and owns its retries."""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership
from accounts.roles import Role

from . import rules
from .models import ApprovalRun, RunStatus

logger = logging.getLogger(__name__)


def _send(recipient, template: str, context: dict) -> None:
    language = recipient.language or context["run"].brief.organisation.language
    with translation.override(language):
        subject = render_to_string(f"approvals/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"approvals/email/{template}_body.txt", context | {"recipient": recipient})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])


def _brief_url(run) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("brief_detail", args=[run.brief_id])


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_run_notification(self, run_id: int, kind: str, position: int | None) -> int:
    """kind "waiting": mail the approvers of step ``position`` (if it is still current);
    kind "finished": mail the agency's people the outcome. Returns the number of mails sent."""
    run = ApprovalRun.objects.select_related("brief__organisation", "brief__topic", "brief__agency").get(pk=run_id)
    context = {"run": run, "brief": run.brief, "url": _brief_url(run)}
    if kind == "waiting":
        if not run.is_open or run.current_position != position:
            return 0  # decided already: nobody needs to be told any more
        step = run.current_step()
        recipients = [u for u in rules.approvers_for(run, step) if u.email]
        for user in recipients:
            _send(user, "waiting", context | {"step": step})
        return len(recipients)
    members = Membership.objects.filter(
        organisation=run.brief.organisation, role=Role.AGENCY_MEMBER, agency=run.brief.agency, is_active=True
    ).select_related("user")
    recipients = [m.user for m in members if m.user.email and m.user.is_active]
    last_decision = run.decisions.order_by("-decided_at").first()
    for user in recipients:
        _send(user, "finished", context | {"decision": last_decision})
    return len(recipients)


@shared_task
def remind_waiting_approvers() -> int:
    """Daily: remind approvers of items waiting longer than their organisation's limit."""
    now = timezone.now()
    sent = 0
    waiting = ApprovalRun.objects.filter(status=RunStatus.IN_PROGRESS).select_related(
        "brief__organisation", "brief__topic"
    )
    for run in waiting:
        # Few runs are open at a time; each organisation has its own limit.
        if run.step_started_at > now - timedelta(days=run.brief.organisation.approval_reminder_days):
            continue
        step = run.current_step()
        decided = set(step.decisions.values_list("actor_id", flat=True))
        context = {"run": run, "brief": run.brief, "url": _brief_url(run), "step": step, "reminder": True}
        for user in rules.approvers_for(run, step).exclude(pk__in=decided):
            if user.email:
                _send(user, "waiting", context)
                sent += 1
    return sent

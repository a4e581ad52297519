"""Celery tasks of the approval workflow."""

from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import notifications
from .models import ApprovalRun, RunStatus


@shared_task(acks_late=True)
def remind_waiting_approvers() -> int:
    """Daily: remind approvers of items waiting longer than their organisation's limit (once a day: a second
    scheduler or a rerun finds the day's reminders queued already)."""
    now = timezone.now()
    queued = 0
    waiting = ApprovalRun.objects.filter(status=RunStatus.IN_PROGRESS).select_related(
        "brief__organisation", "brief__topic"
    )
    for run in waiting:
        # Few runs are open at a time; each organisation has its own limit.
        if run.step_started_at > now - timedelta(days=run.brief.organisation.approval_reminder_days):
            continue
        with transaction.atomic():
            queued += notifications.approvers_waiting(
                run, reminder_on=timezone.localdate(now, run.brief.organisation.zone).isoformat()
            )
    return queued


@shared_task
def follow_up_rights_ending() -> int:
    """Beat, daily: team social hears of rights of people on screen that end soon (content.publication)."""
    from content.publication import follow_up_rights_ending as follow_up

    return follow_up(now=timezone.now())

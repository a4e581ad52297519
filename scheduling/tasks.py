"""Daily: keep the cadences' slots 26 weeks ahead, and tell team social which of the coming weeks are below the
minimum or have slots at risk."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import people_with_role
from accounts.models import Channel
from accounts.roles import Role
from core import outbox

from . import health, services
from .models import Cadence


@shared_task
def extend_slots() -> int:
    """Create the slots that came within 26 weeks since yesterday, for every cadence still in force."""
    now = timezone.now()
    created = 0
    cadences = Cadence.objects.filter(channel__is_active=True).select_related("channel__organisation")
    for cadence in cadences:
        if cadence.valid_until is None or cadence.valid_until >= timezone.localdate(
            now, cadence.channel.organisation.zone
        ):
            created += services.slots_generate(cadence=cadence, now=now)
    return created


@shared_task(acks_late=True)
def mail_weeks_at_risk() -> int:
    """Daily: queue the at-risk mail for team social (once per channel, day and person, whoever runs it twice)."""
    queued = 0
    now = timezone.now()
    for channel in (
        Channel.objects.filter(is_active=True, cadences__isnull=False).distinct().select_related("organisation")
    ):
        today = timezone.localdate(now, channel.organisation.zone)
        state = health.summary(channel, today=today)
        if not state["weak_weeks"] and not state["at_risk"]:
            continue
        url = settings.SITE_URL.rstrip("/") + reverse("calendar_agenda") + f"?channel={channel.pk}"
        with transaction.atomic():
            for person in people_with_role(channel.organisation, Role.TEAM_SOCIAL):
                mail = outbox.send(
                    kind="calendar.at_risk",
                    template="scheduling/email/at_risk",
                    context={"state": state, "channel": channel, "url": url},
                    person=person,
                    organisation=channel.organisation,
                    key=f"calendar.at_risk:{channel.pk}:{today}:{person.pk}",
                )
                queued += mail is not None
    return queued

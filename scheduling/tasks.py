"""Daily: keep the cadences' slots 26 weeks ahead, and tell team social which of the coming weeks are below the
minimum or have slots at risk."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.access import people_with_role
from accounts.models import Channel
from accounts.roles import Role

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


@shared_task(autoretry_for=(OSError,), retry_backoff=60, retry_jitter=True, max_retries=5)
def mail_weeks_at_risk() -> int:
    sent = 0
    now = timezone.now()
    for channel in (
        Channel.objects.filter(is_active=True, cadences__isnull=False).distinct().select_related("organisation")
    ):
        state = health.summary(channel, today=timezone.localdate(now, channel.organisation.zone))
        if not state["weak_weeks"] and not state["at_risk"]:
            continue
        url = settings.SITE_URL.rstrip("/") + reverse("calendar_agenda") + f"?channel={channel.pk}"
        for person in people_with_role(channel.organisation, Role.TEAM_SOCIAL):
            if not person.email:
                continue
            with translation.override(person.language or channel.organisation.language):
                context = {"state": state, "channel": channel, "url": url}
                subject = render_to_string("scheduling/email/at_risk_subject.txt", context).strip()
                body = render_to_string("scheduling/email/at_risk_body.txt", context)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
            sent += 1
    return sent

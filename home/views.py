"""Each role's home page: what waits for me, and what comes next, gathered from every app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from accounts import access
from accounts.models import Channel
from accounts.roles import ROLE_SUMMARIES, Capability
from approvals import inbox
from disclosure import requests as disclosure_requests
from disclosure.models import DisclosureRequest
from scheduling.health import summary as channel_summary
from stats import health as stats_health


@login_required
def home(request):
    """The start page of the current role: what waits for me, and what comes next."""
    membership = request.membership
    context = {"membership": membership}
    if membership is not None:
        organisation = membership.organisation
        now = timezone.now()
        today = timezone.localdate(now, organisation.zone)
        active_channels = Channel.objects.visible_to(membership).filter(is_active=True)
        waiting = inbox.waiting_for(request.user, membership, now=now)
        request.inbox_count = len(waiting)  # for the navigation's count
        context.update(
            role_summary=ROLE_SUMMARIES.get(membership.role),
            channels=active_channels,
            agencies=organisation.agencies.filter(agencyengagement__is_active=True).order_by("name"),
            can_manage=access.has_capability(membership, Capability.MANAGE_ORGANISATION),
            waiting_for_me=waiting,
            channel_health=[
                channel_summary(channel, today=today)
                for channel in active_channels.filter(cadences__isnull=False).distinct()
            ]
            if access.has_capability(membership, Capability.PLAN_CALENDAR)
            else [],
            stats_attention=stats_health.needing_attention(active_channels, now=now)
            if access.has_capability(membership, Capability.CONNECT_CHANNEL)
            else [],
            open_requests=_open_requests(membership, today),
        )
    return render(request, "home/home.html", context)


def _open_requests(membership, today) -> list:
    """The open disclosure requests, oldest first, each marked when it waited too long for its law."""
    if not access.has_capability(membership, Capability.DISCLOSE):
        return []
    found = list(DisclosureRequest.objects.visible_to(membership).open().order_by("received_on", "pk"))
    for request in found:
        request.age = disclosure_requests.age_in_days(request, today)
        request.late = disclosure_requests.needs_attention(request, today)
    return found

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import access
from accounts.roles import ROLE_SUMMARIES, Capability
from approvals import inbox
from scheduling.health import summary as channel_summary
from stats import health as stats_health

from . import health
from .models import WorkerHeartbeat
from .tasks import HEARTBEAT_NAME


@login_required
def home(request):
    """The start page of the current role: what waits for me, and what comes next."""
    membership = request.membership
    context = {"membership": membership}
    if membership is not None:
        organisation = membership.organisation
        now = timezone.now()
        today = timezone.localdate(now, organisation.zone)
        active_channels = access.channels_for(request.user).filter(organisation=organisation, is_active=True)
        context.update(
            role_summary=ROLE_SUMMARIES.get(membership.role),
            channels=active_channels,
            agencies=organisation.agencies.filter(agencyengagement__is_active=True).order_by("name"),
            can_manage=access.has_capability(membership, Capability.MANAGE_ORGANISATION),
            waiting_for_me=inbox.waiting_for(request.user, membership, now=now),
            channel_health=[
                channel_summary(channel, today=today)
                for channel in active_channels.filter(cadences__isnull=False).distinct()
            ]
            if access.has_capability(membership, Capability.PLAN_CALENDAR)
            else [],
            stats_attention=stats_health.needing_attention(active_channels, now=now)
            if access.has_capability(membership, Capability.CONNECT_CHANNEL)
            else [],
        )
    return render(request, "core/home.html", context)


@require_POST
def set_language(request):
    """Django's language switch, plus: a logged-in user keeps the choice in their profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and check_for_language(language):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@never_cache
@require_GET
def health_view(request):
    """200 when the database and the broker answer, 503 otherwise (for load balancers and `make run`)."""
    database = health.database_ok()
    broker = health.broker_ok()
    heartbeat = WorkerHeartbeat.objects.filter(name=HEARTBEAT_NAME).first() if database else None
    body = {
        "status": "ok" if database and broker else "unavailable",
        "database": "ok" if database else "unavailable",
        "broker": "ok" if broker else "unavailable",
        # Informational: a web-only deployment has no worker, which is not a reason to fail.
        "worker_last_seen": heartbeat.last_seen.isoformat() if heartbeat else None,
    }
    return JsonResponse(body, status=200 if database and broker else 503)

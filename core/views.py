"""Views without a domain: the language switch and the health endpoint."""

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from . import health
from .models import WorkerHeartbeat
from .tasks import HEARTBEAT_NAME


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
def health_live(request):
    """Liveness: the process answers. Nothing else is asked, so a restart is never caused by a service it uses."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def health_view(request):
    """Readiness, for the load balancer (also at /health/ready/): 503 only when the database doesn't answer, since
    no page works without it. Without the queue (Redis) every page still works (mails wait in the outbox, pulls
    run at their next time), so that is 200 "degraded", with the broker's state in the body for monitoring; so
    is the age of the worker's last heartbeat (a web-only node has no worker, which is no reason to pull it)."""
    database = health.database_ok()
    broker = health.broker_ok()
    heartbeat = WorkerHeartbeat.objects.filter(name=HEARTBEAT_NAME).first() if database else None
    if not database:
        status = "unavailable"
    elif not broker:
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "database": "ok" if database else "unavailable",
        "broker": "ok" if broker else "unavailable",
        "worker_last_seen": heartbeat.last_seen.isoformat() if heartbeat else None,
        "worker_heartbeat_age_seconds": (
            round((timezone.now() - heartbeat.last_seen).total_seconds()) if heartbeat else None
        ),
    }
    return JsonResponse(body, status=200 if database else 503)

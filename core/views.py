"""Views without a domain: the language switch and the health endpoint."""

from django.conf import settings
from django.http import JsonResponse
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

"""Which connected channels need team social's attention: figures that stopped arriving, and why."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ChannelConnection, ConnectionStatus, PullRun, RunKind, RunStatus

STALE_AFTER = timedelta(hours=26)  # the daily pull plus a margin for its retries


@dataclass
class Attention:
    channel: object
    message: str


def needing_attention(channels, now=None) -> list[Attention]:
    """Channels whose authorisation died, whose last pull failed, or whose figures are more than a day
    old. One query."""
    now = now or timezone.now()
    video_runs = PullRun.objects.filter(channel=OuterRef("channel"), kind=RunKind.VIDEOS)
    succeeded = video_runs.filter(status=RunStatus.SUCCEEDED).order_by("-started_at")
    connections = (
        ChannelConnection.objects.filter(channel__in=channels)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .select_related("channel")
        .annotate(
            last_status=Subquery(video_runs.order_by("-started_at").values("status")[:1]),
            last_success=Subquery(succeeded.values("started_at")[:1]),
        )
        .order_by("channel__handle")
    )
    found = []
    for connection in connections:
        if connection.status == ConnectionStatus.RECONNECT:
            message = _("TikTok no longer accepts the authorisation: connect the channel again.")
        elif connection.last_status == RunStatus.FAILED:
            message = _("The last pull from TikTok failed; it is tried again.")
        elif connection.last_success is None or connection.last_success < now - STALE_AFTER:
            message = _("No new figures for more than a day.")
        else:
            continue
        found.append(Attention(connection.channel, message))
    return found

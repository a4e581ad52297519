"""Which connected channels need team social's attention: figures that stopped arriving, and why."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from content.models import FollowUp, FollowUpKind

from .models import ChannelConnection, ConnectionStatus, PullRun, PullStatus, RunKind

STALE_AFTER = timedelta(hours=26)  # the daily pull plus a margin for its retries


@dataclass
class Attention:
    channel: object
    message: str
    url_name: str = ""  # where to act on it: the channel's results page unless said otherwise


def needing_attention(channels, *, now) -> list[Attention]:
    """Channels whose authorisation died, whose last pull failed, or whose figures are more than a day
    old as of ``now``. One query."""
    video_runs = PullRun.objects.filter(channel=OuterRef("channel"), kind=RunKind.VIDEOS)
    succeeded = video_runs.filter(status=PullStatus.SUCCEEDED).order_by("-started_at")
    connections = (
        ChannelConnection.objects.filter(channel__in=channels)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .select_related("channel")
        .annotate(
            last_status=Subquery(video_runs.order_by("-started_at").values("status")[:1]),
            last_error=Subquery(video_runs.order_by("-started_at").values("error")[:1]),
            last_retry_at=Subquery(video_runs.order_by("-started_at").values("retry_at")[:1]),
            last_gave_up=Subquery(video_runs.order_by("-started_at").values("gave_up")[:1]),
            last_success=Subquery(succeeded.values("started_at")[:1]),
        )
        .order_by("channel__handle")
    )
    found = []
    for connection in connections:
        last_run = PullRun(
            error=connection.last_error or "", retry_at=connection.last_retry_at, gave_up=bool(connection.last_gave_up)
        )
        connection.last_problem = last_run.problem
        if connection.status == ConnectionStatus.RECONNECT:
            message = _("TikTok no longer accepts the authorisation: connect the channel again.")
        elif connection.last_status == PullStatus.FAILED:
            message = _("The last pull from TikTok failed: %(problem)s") % {"problem": connection.last_problem}
        elif _fresh_since(connection) is None or _fresh_since(connection) < now - STALE_AFTER:
            message = _("No new figures for more than a day.")
        else:
            continue
        found.append(Attention(connection.channel, message))
    return found + _follow_ups(channels)


def _follow_ups(channels) -> list[Attention]:
    """Channels whose live posts differ from their approval, or that carry videos no approved brief records, until
    team social closes the follow-ups."""
    counts = (
        FollowUp.objects.open()
        .filter(kind__in=[FollowUpKind.POST_DIFFERS, FollowUpKind.POSTED_WITHOUT_APPROVAL], channel__in=channels)
        .values("channel", "kind")
        .annotate(count=Count("pk"))
    )
    by_channel = {channel.pk: channel for channel in channels}
    found = []
    for row in counts.order_by("channel", "kind"):
        channel = by_channel[row["channel"]]
        if row["kind"] == FollowUpKind.POST_DIFFERS:
            message = ngettext(
                "%(count)s live post differs from its approval.",
                "%(count)s live posts differ from their approval.",
                row["count"],
            ) % {"count": row["count"]}
        else:
            message = ngettext(
                "%(count)s video on the channel was posted without approval.",
                "%(count)s videos on the channel were posted without approval.",
                row["count"],
            ) % {"count": row["count"]}
        found.append(Attention(channel, message, url_name="follow_up_list"))
    return found


def _fresh_since(connection):
    """The last successful pull, or the moment of connecting if that is later: a channel connected a
    minute ago isn't stale."""
    return max((moment for moment in (connection.last_success, connection.connected_at) if moment), default=None)

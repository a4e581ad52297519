"""Connecting a channel to TikTok (OAuth), and the channel's stats page for team social."""

import contextlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import capability_required
from accounts.roles import Capability
from approvals import audit
from approvals.audit import Origin
from content.models import Posting

from .client import OAuthClient, TikTokError
from .models import ChannelConnection, ConnectionStatus, VideoSnapshot
from .schedule import stats_jobs

OAUTH_SESSION_KEY = "tiktok_oauth"
SCOPES = ["user.info.basic", "user.info.stats", "video.list"]


def _channel(request, pk):
    return get_object_or_404(access.channels_for(request.user).filter(organisation=request.organisation), pk=pk)


def _oauth():
    return OAuthClient(settings.TIKTOK_API_BASE_URL, settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET)


@capability_required(Capability.VIEW_RESULTS)
def channel_stats(request, pk=None):
    channels = access.channels_for(request.user).filter(organisation=request.organisation)
    channel = get_object_or_404(channels, pk=pk) if pk else channels.order_by("pk").first()
    if channel is None:
        raise Http404
    connection = ChannelConnection.objects.filter(channel=channel).first()
    latest = VideoSnapshot.objects.filter(posting=OuterRef("pk")).order_by("-bucket")
    videos = list(
        Posting.objects.filter(brief__channel=channel)
        .select_related("brief")
        .annotate(
            views=Subquery(latest.values("views")[:1]),
            likes=Subquery(latest.values("likes")[:1]),
            comments=Subquery(latest.values("comments")[:1]),
            shares=Subquery(latest.values("shares")[:1]),
        )
        .order_by("-posted_at")
    )
    for video in videos:
        engaged = (video.likes or 0) + (video.comments or 0) + (video.shares or 0)
        video.engagement_rate = (engaged / video.views * 100) if video.views else None
    can_connect = access.has_capability(request.membership, Capability.CONNECT_CHANNEL)
    missing = [scope for scope in SCOPES if connection and scope not in connection.scopes.split(",")]
    return render(
        request,
        "stats/channel_stats.html",
        {
            "channel": channel,
            "channels": channels,
            "connection": connection,
            "missing_scopes": missing,
            "videos": videos,
            "runs": channel.pull_runs.all()[:15] if can_connect else [],
            "followers": channel.follower_snapshots.order_by("-day").first(),
            "can_connect": can_connect,
            "jobs": stats_jobs(),
        },
    )


@capability_required(Capability.CONNECT_CHANNEL)
@require_POST
def connect(request, pk):
    """Send the browser to TikTok's consent page, with a state bound to this session and channel."""
    channel = _channel(request, pk)
    state = secrets.token_urlsafe(24)
    request.session[OAUTH_SESSION_KEY] = {"state": state, "channel": channel.pk}
    query = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "scope": ",".join(SCOPES),
        "response_type": "code",
        "redirect_uri": request.build_absolute_uri(reverse("stats_callback")),
        "state": state,
    }
    return redirect(f"{settings.TIKTOK_AUTHORIZE_URL}?{urlencode(query)}")


@capability_required(Capability.CONNECT_CHANNEL)
def callback(request):
    pending = request.session.pop(OAUTH_SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not pending or not state or not secrets.compare_digest(state, pending["state"]):
        # A forged or replayed answer: never store tokens from it.
        raise PermissionDenied(_("This answer from TikTok does not belong to your request. Connect again."))
    channel = _channel(request, pending["channel"])
    if "error" in request.GET or "code" not in request.GET:
        messages.error(request, _("TikTok did not give access: %(reason)s") % {"reason": request.GET.get("error", "—")})
        return redirect("stats_channel", channel.pk)
    try:
        tokens = _oauth().exchange_code(request.GET["code"], request.build_absolute_uri(reverse("stats_callback")))
    except TikTokError as error:
        messages.error(request, _("Connecting failed: %(error)s") % {"error": error})
        return redirect("stats_channel", channel.pk)
    now = timezone.now()
    connection = ChannelConnection.objects.filter(channel=channel).first() or ChannelConnection(channel=channel)
    connection.open_id = tokens.open_id
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.scopes = tokens.scope
    connection.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    connection.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
    connection.status, connection.status_message, connection.connected_by = ConnectionStatus.CONNECTED, "", request.user
    connection.save()
    audit.record(
        organisation=channel.organisation,
        actor=request.user,
        action="tiktok.connected",
        obj=channel,
        origin=Origin.from_request(request),
        details={"scopes": tokens.scope},
    )
    messages.success(request, _("The channel is connected to TikTok."))
    return redirect("stats_channel", channel.pk)


@capability_required(Capability.CONNECT_CHANNEL)
@require_POST
def disconnect(request, pk):
    channel = _channel(request, pk)
    connection = get_object_or_404(ChannelConnection, channel=channel)
    # Revoked or expired already at TikTok: disconnecting here is what matters.
    with contextlib.suppress(TikTokError):
        _oauth().revoke(connection.access_token)
    connection.access_token = connection.refresh_token = ""
    connection.status = ConnectionStatus.DISCONNECTED
    connection.save()
    audit.record(
        organisation=channel.organisation,
        actor=request.user,
        action="tiktok.disconnected",
        obj=channel,
        origin=Origin.from_request(request),
    )
    messages.success(request, _("The channel is disconnected from TikTok."))
    return redirect("stats_channel", channel.pk)

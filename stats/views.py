"""The results pages (channel, video, report, import) and connecting a channel to TikTok (OAuth)."""

import secrets
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import capability_required
from accounts.models import Channel
from accounts.roles import Capability
from audit import trail
from audit.trail import Origin
from content.models import Posting
from core import charts, counters, downloads, queue
from core.pagination import paginate

from . import imports, services, tasks
from .client import TikTokError
from .forms import FiguresForm, PeriodForm, StudioImportForm
from .models import ChannelConnection, ConnectionStatus, MissingVideo, RunKind
from .report import PdfUnavailable, render_pdf, results_context
from .schedule import stats_jobs
from .selectors import PILOT_BANDS, channel_medians, default_period, video_figures, video_history

OAUTH_SESSION_KEY = "tiktok_oauth"
PULL_NOW_SECONDS = 60
SCOPES = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"]
REVOKE_FAILED_NOTE = gettext_lazy(
    "The channel is disconnected here, but TikTok did not confirm that it revoked the planner's access. Remove the "
    "planner's access in the TikTok account's settings too."
)


@capability_required(Capability.VIEW_RESULTS)
def channel_stats(request, pk=None):
    channels = Channel.objects.visible_to(request.membership)
    with_organisation = channels.select_related("organisation")
    channel = get_object_or_404(with_organisation, pk=pk) if pk else with_organisation.order_by("pk").first()
    if channel is None:
        raise Http404
    today = timezone.localdate(timezone=channel.organisation.zone)
    default = default_period(channel, today=today)
    period = PeriodForm(request.GET or None, default=default)
    start, end = period.period()
    connection = ChannelConnection.objects.filter(channel=channel).first()
    can_connect = access.has_capability(request.membership, Capability.CONNECT_CHANNEL)
    missing = [scope for scope in SCOPES if connection and scope not in connection.scopes.split(",")]
    context = results_context(channel, start, end, request.membership, today=today)
    context |= {
        # The period's figures count every video; the table shows them a page at a time.
        "videos": paginate(request, context["results"].videos, anchor="videos-heading"),
        "channels": channels,
        "period_form": period,
        "presets": _period_presets(default),
        # The period alone (not which page of the table or the log), to mark the period link that is showing.
        "query": urlencode({key: request.GET.get(key, "") for key in ("start", "end")})
        if "start" in request.GET
        else "",
        "connection": connection,
        "missing_scopes": missing,
        "runs": _runs_with_named_videos(request, channel) if can_connect else None,
        "unrecorded": _unrecorded(channel, connection) if can_connect else [],
        "missing": _missing(channel) if can_connect else [],
        "expires_soon": bool(
            connection
            and connection.is_connected
            and connection.refresh_expires_at
            and connection.refresh_expires_at <= timezone.now() + services.EXPIRY_WARNING
        ),
        "last_run": channel.pull_runs.exclude(kind=RunKind.CSV_IMPORT).first() if can_connect else None,
        "can_connect": can_connect,
        "can_record": access.has_capability(request.membership, Capability.RECORD_RESULTS),
        "jobs": stats_jobs(),
    }
    return render(request, "stats/channel_stats.html", context)


def _period_presets(default) -> list[dict]:
    """Links to the usual periods: the running budget period (or the last six months), and everything."""
    if default.source is not None:
        label = _("Budget period %(name)s") % {"name": default.source.name}
    else:
        label = _("The last six months")
    return [
        {"label": label, "query": urlencode({"start": default.start, "end": default.end})},
        {"label": _("Since the first post"), "query": urlencode({"start": "", "end": ""})},
    ]


def _runs_with_named_videos(request, channel, per_page: int = 15):
    """A page of the runs, newest first, each with the videos TikTok didn't return or returned twice named by
    their brief (the run log grows by several runs a day)."""
    page = paginate(request, channel.pull_runs.all(), per_page=per_page, parameter="runs", anchor="pulls-heading")
    page.object_list = runs = list(page.object_list)
    ids = {video_id for run in runs for video_id in (*run.missing_videos, *run.duplicate_videos)}
    postings = Posting.objects.filter(brief__channel=channel, tiktok_video_id__in=ids).select_related("brief")
    names = {p.tiktok_video_id: f"{p.brief.reference} “{p.brief.title}”" for p in postings}
    for run in runs:
        run.missing_named = [names.get(video_id, video_id) for video_id in run.missing_videos]
        run.duplicates_named = [names.get(video_id, video_id) for video_id in run.duplicate_videos]
    return page


def _missing(channel) -> list[MissingVideo]:
    """Posted videos TikTok no longer returns: deleted or made private (or recorded with a wrong link)."""
    missing = MissingVideo.objects.filter(posting__brief__channel=channel).select_related("posting__brief")
    return list(missing.order_by("since"))


def _unrecorded(channel, connection) -> list[dict]:
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        return []
    return [
        {
            "title": video["title"],
            "posted": datetime.fromtimestamp(video["create_time"], UTC) if video["create_time"] else None,
            "url": f"https://www.tiktok.com/@{channel.handle}/video/{video['id']}",
        }
        for video in connection.unrecorded_videos
    ]


@capability_required(Capability.VIEW_RESULTS)
def video_stats(request, pk):
    postings = Posting.objects.visible_to(request.membership).select_related("brief__topic", "brief__channel")
    posting = get_object_or_404(postings, pk=pk)
    history = video_history(posting)
    this = video_figures(posting)
    # From LatestFigures, one row per video: the page no longer reads the other videos' snapshots.
    medians = channel_medians(posting.brief.channel)
    can_record = access.has_capability(request.membership, Capability.RECORD_RESULTS)
    form = None
    if can_record:
        form = FiguresForm(request.POST or None, organisation=request.organisation, now=timezone.now())
        if request.method == "POST" and form.is_valid():
            try:
                imports.record_figures(
                    posting,
                    actor=request.user,
                    captured_at=form.captured_at(),
                    origin=Origin.from_request(request),
                    **form.figures(),
                )
            except ValidationError as error:  # e.g. a day before the video was posted
                form.add_error("as_of", error)
            else:
                messages.success(request, _("The figures are saved."))
                return redirect("stats_video", posting.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "stats/video_stats.html",
        {
            "posting": posting,
            "video": this,
            "history": history,
            # The charts draw every measurement; the table lists them newest first, a page at a time (a year of
            # a video is some 420 measurements).
            "history_page": paginate(request, history[::-1], anchor="history-heading"),
            "bands": PILOT_BANDS,
            "channel_median_views": medians["views"],
            "channel_median_engagement": medians["engagement"],
            "views_chart": charts.line([(s.captured_at, s.views) for s in history]),
            "reactions_chart": charts.line([(s.captured_at, s.likes, s.comments, s.shares) for s in history], lines=3),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@capability_required(Capability.RECORD_RESULTS)
def studio_import(request, pk):
    channel = get_object_or_404(Channel.objects.visible_to(request.membership), pk=pk)
    form = StudioImportForm(
        request.POST or None, request.FILES or None, organisation=request.organisation, now=timezone.now()
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        result = imports.import_studio_csv(
            channel,
            form.cleaned_data["file"].read(),
            actor=request.user,
            captured_at=form.captured_at(),
            origin=Origin.from_request(request),
        )
        if result.ok:
            count = len(result.snapshots)
            message = ngettext("Figures of %(count)d video imported.", "Figures of %(count)d videos imported.", count)
            messages.success(request, message % {"count": count})
            return redirect("stats_channel", channel.pk)
        problems = result.errors
    status = 400 if request.method == "POST" else 200
    return render(request, "stats/import.html", {"channel": channel, "form": form, "problems": problems}, status=status)


def _report_context(request, pk):
    channel = get_object_or_404(Channel.objects.visible_to(request.membership).select_related("organisation"), pk=pk)
    now = timezone.now()
    today = timezone.localdate(now, channel.organisation.zone)
    period = PeriodForm(request.GET or None, default=default_period(channel, today=today))
    start, end = period.period()
    return results_context(channel, start, end, request.membership, today=today) | {
        "query": request.GET.urlencode(),
        "generated_at": now,
    }


@capability_required(Capability.VIEW_RESULTS)
def results_report(request, pk):
    return render(request, "stats/report.html", _report_context(request, pk))


@capability_required(Capability.VIEW_RESULTS)
def results_report_pdf(request, pk):
    context = _report_context(request, pk)
    try:
        pdf = render_pdf(context, request)
    except PdfUnavailable as error:
        return render(request, "stats/no_pdf.html", context | {"message": str(error)}, status=503)
    channel = context["channel"]
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localdate(context["generated_at"], channel.organisation.zone)
    downloads.as_attachment(
        response, downloads.filename(pgettext("file name", "results"), channel.handle, day, extension="pdf")
    )
    trail.record_export(request, kind="results.pdf", obj=channel, organisation=channel.organisation)
    return response


@capability_required(Capability.CONNECT_CHANNEL)
@require_POST
def connect(request, pk):
    """Send the browser to TikTok's consent page, with a state bound to this session and channel."""
    channel = get_object_or_404(Channel.objects.visible_to(request.membership), pk=pk)
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
    channel = get_object_or_404(Channel.objects.visible_to(request.membership), pk=pending["channel"])
    if "error" in request.GET or "code" not in request.GET:
        messages.error(request, _("TikTok did not give access: %(reason)s") % {"reason": request.GET.get("error", "—")})
        return redirect("stats_channel", channel.pk)
    try:
        tokens = services.oauth_client().exchange_code(
            request.GET["code"], request.build_absolute_uri(reverse("stats_callback"))
        )
    except TikTokError as error:
        messages.error(request, _("Connecting failed: %(error)s") % {"error": error})
        return redirect("stats_channel", channel.pk)
    try:
        services.connection_save(
            actor=request.user, channel=channel, tokens=tokens, now=timezone.now(), origin=Origin.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stats_channel", channel.pk)
    # The first figures arrive now, not at the next scheduled pull.
    if _queue_pull(channel):
        messages.success(request, _("The channel is connected to TikTok. The first figures are being pulled."))
    else:
        messages.success(request, _("The channel is connected to TikTok."))
        messages.warning(request, QUEUE_DOWN)
    return redirect("stats_channel", channel.pk)


def _queue_pull(channel) -> bool:
    """Queue a pull of the videos and the followers (views run without a transaction, so the request's changes
    are committed). False when the queue can't be reached: the scheduled pulls catch up."""
    videos = queue.enqueue(tasks.pull_channel_stats, channel.pk)
    followers = queue.enqueue(tasks.pull_channel_followers, channel.pk)
    return videos and followers


QUEUE_DOWN = gettext_lazy(
    "The job queue can't be reached right now, so no pull was started. The scheduled pulls run as soon as it is "
    "back; try again in a few minutes."
)


@capability_required(Capability.CONNECT_CHANNEL)
@require_POST
def pull_now(request, pk):
    channel = get_object_or_404(Channel.objects.visible_to(request.membership), pk=pk)
    connection = ChannelConnection.objects.filter(channel=channel, status=ConnectionStatus.CONNECTED).first()
    if connection is None:
        messages.error(request, _("Connect the channel to TikTok first."))
        return redirect("stats_channel", channel.pk)
    # Each click would spend the channel's share of TikTok's rate limit: one pull a minute is plenty.
    if not counters.set_once(f"tiktok-pull-now-{channel.pk}", "1", PULL_NOW_SECONDS):
        messages.info(request, _("A pull was queued less than a minute ago. Reload this page in a minute."))
        return redirect("stats_channel", channel.pk)
    if not _queue_pull(channel):
        messages.warning(request, QUEUE_DOWN)
        return redirect("stats_channel", channel.pk)
    messages.success(request, _("A pull is queued. Reload this page in a minute to see the new figures."))
    return redirect("stats_channel", channel.pk)


@capability_required(Capability.CONNECT_CHANNEL)
@require_POST
def disconnect(request, pk):
    channel = get_object_or_404(Channel.objects.visible_to(request.membership), pk=pk)
    connection = get_object_or_404(ChannelConnection, channel=channel)
    connection = services.connection_revoke(
        actor=request.user, connection=connection, origin=Origin.from_request(request)
    )
    if connection.revoke_failed:
        messages.warning(request, REVOKE_FAILED_NOTE)
    else:
        messages.success(request, _("The channel is disconnected from TikTok."))
    return redirect("stats_channel", channel.pk)

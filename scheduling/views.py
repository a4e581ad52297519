"""The posting calendar's pages. Slots are looked up within the user's organisation's channels."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.decorators import capability_required
from accounts.models import Channel
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin
from content.models import Brief, BriefStatus, FollowUp, FollowUpKind, Topic
from content.permissions import get_brief_for_user
from core import downloads
from core.spreadsheets import SafeWriter

from . import days, feed, handoff, health, services
from .forms import CadenceForm, SlotAddForm, SlotFillForm, SlotMoveForm
from .models import FeedToken, Slot


def _channel(request):
    """The channel chosen with ?channel= (the first otherwise) among the active ones the viewer sees."""
    channels = Channel.objects.visible_to(request.membership).filter(is_active=True)
    wanted = request.GET.get("channel")
    if wanted and wanted.isdigit():
        return get_object_or_404(channels, pk=wanted)
    channel = channels.order_by("pk").first()
    if channel is None:
        raise Http404
    return channel


def _today(organisation) -> date:
    return timezone.now().astimezone(ZoneInfo(organisation.time_zone)).date()


def _parse_date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _decorate(request, slots, organisation):
    """Per slot: local time, whether the viewer may see its brief, whether it is at risk."""
    zone = ZoneInfo(organisation.time_zone)
    visible = set(Brief.objects.visible_to(request.membership).filter(slot__in=slots).values_list("pk", flat=True))
    risky = health.at_risk(slots, organisation, today=_today(organisation))
    # A live post that differs from its approval, until team social closes its follow-up.
    differs = set(
        FollowUp.objects.open()
        .filter(kind=FollowUpKind.POST_DIFFERS, brief__slot__in=slots)
        .values_list("brief_id", flat=True)
    )
    for slot in slots:
        slot.local = slot.starts_at.astimezone(zone)
        slot.brief_visible = slot.brief_id in visible
        slot.is_at_risk = slot.pk in risky
        slot.post_differs = slot.brief_id in differs
    return slots


@capability_required(Capability.VIEW_CALENDAR)
def calendar_view(request, mode="month"):
    organisation = request.organisation
    channel = _channel(request)
    today = _today(organisation)
    topic_id = request.GET.get("topic", "")
    if mode == "month":
        month = request.GET.get("month")
        anchor = _parse_date(f"{month}-01" if month else None, today).replace(day=1)
        start = days.iso_week_start(anchor)
        following = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
        weeks = ((following - start).days + 6) // 7
        previous_link = (anchor - timedelta(days=1)).strftime("%Y-%m")
        next_link = following.strftime("%Y-%m")
    elif mode == "week":
        anchor = days.iso_week_start(_parse_date(request.GET.get("week"), today))
        start, weeks = anchor, 1
        previous_link = (anchor - timedelta(weeks=1)).isoformat()
        next_link = (anchor + timedelta(weeks=1)).isoformat()
    else:
        anchor = days.iso_week_start(_parse_date(request.GET.get("from"), today))
        start, weeks = anchor, 8
        previous_link = (anchor - timedelta(weeks=8)).isoformat()
        next_link = (anchor + timedelta(weeks=8)).isoformat()
    week_health = health.channel_weeks(channel, start, weeks)
    slots = [slot for week in week_health for slot in week.slots]
    if topic_id.isdigit():
        slots = [slot for slot in slots if slot.brief and slot.brief.topic_id == int(topic_id)]
    _decorate(request, slots, organisation)
    shown = {slot.pk for slot in slots}
    end = start + timedelta(weeks=weeks) - timedelta(days=1)
    holidays = days.holidays_between(organisation.country, start, end, request.LANGUAGE_CODE)
    rows = []
    for week in week_health:
        cells = []
        for offset in range(7):
            day = week.start + timedelta(days=offset)
            cells.append(
                {
                    "date": day,
                    "in_month": mode != "month" or day.month == anchor.month,
                    "holiday": holidays.get(day),
                    "slots": [s for s in week.slots if s.pk in shown and s.local.date() == day],
                    "today": day == today,
                }
            )
        rows.append({"health": week, "cells": cells})
    return render(
        request,
        "scheduling/calendar.html",
        {
            "mode": mode,
            "anchor": anchor,
            "channel": channel,
            "channels": Channel.objects.visible_to(request.membership).filter(is_active=True),
            "topics": Topic.objects.filter(organisation=organisation, is_active=True),
            "topic_id": topic_id,
            "rows": rows,
            "previous_link": previous_link,
            "next_link": next_link,
            "can_plan": access.has_capability(request.membership, Capability.PLAN_CALENDAR),
        },
    )


SLOT_RELATED = ("channel__organisation", "brief__topic", "video_version")


def _fill_choices(request, slot):
    return Brief.objects.visible_to(request.membership).filter(
        channel=slot.channel,
        status__in=[BriefStatus.SENT_TO_AGENCY, BriefStatus.IN_PRODUCTION, BriefStatus.READY_TO_POST],
        slot__isnull=True,
    )


MOVE_WEEKS_BEFORE, MOVE_WEEKS_AFTER = 3, 6  # a move is usually a few days either way: the list stays short


def _move_choices(slot, now):
    """The empty future slots of the same channel from three weeks before this one to six weeks after it."""
    return (
        Slot.objects.filter(
            channel=slot.channel,
            starts_at__gt=now,
            starts_at__gte=slot.starts_at - timedelta(weeks=MOVE_WEEKS_BEFORE),
            starts_at__lte=slot.starts_at + timedelta(weeks=MOVE_WEEKS_AFTER),
            brief__isnull=True,
            video_version__isnull=True,
        )
        .exclude(pk=slot.pk)
        .order_by("starts_at")
    )


@capability_required(Capability.VIEW_CALENDAR)
def slot_detail(request, pk):
    slot = get_object_or_404(Slot.objects.visible_to(request.membership).select_related(*SLOT_RELATED), pk=pk)
    can_plan = access.has_capability(request.membership, Capability.PLAN_CALENDAR)
    fill_form = move_form = None
    if can_plan:
        fill_form = SlotFillForm(briefs=_fill_choices(request, slot))
        move_form = SlotMoveForm(targets=_move_choices(slot, timezone.now()), zone=slot.channel.organisation.zone)
    return _slot_page(request, slot, can_plan, fill_form, move_form)


def _slot_page(request, slot, can_plan, fill_form, move_form, status=200, error=None):
    _decorate(request, [slot], slot.channel.organisation)
    holiday = days.holidays_between(
        slot.channel.organisation.country, slot.local.date(), slot.local.date(), request.LANGUAGE_CODE
    ).get(slot.local.date())
    return render(
        request,
        "scheduling/slot_detail.html",
        {
            "slot": slot,
            "holiday": holiday,
            "can_plan": can_plan,
            "in_future": slot.starts_at > timezone.now(),
            "posted": bool(slot.brief and slot.brief.is_posted),
            "fill_form": fill_form,
            "move_form": move_form,
            "approved_video_waiting": bool(
                slot.brief and not slot.video_version_id and services.approved_video(slot.brief)
            ),
            "error": error,
        },
        status=status,
    )


@capability_required(Capability.PLAN_CALENDAR)
@require_POST
def slot_action(request, pk):
    slot = get_object_or_404(Slot.objects.visible_to(request.membership).select_related(*SLOT_RELATED), pk=pk)
    action = request.POST.get("action")
    origin = Origin.from_request(request)
    now = timezone.now()
    fill_form = SlotFillForm(request.POST if action == "fill" else None, briefs=_fill_choices(request, slot))
    move_form = SlotMoveForm(
        request.POST if action == "move" else None,
        targets=_move_choices(slot, now),
        zone=slot.channel.organisation.zone,
    )
    try:
        if action == "fill" and fill_form.is_valid():
            slot = services.slot_fill(
                actor=request.user,
                slot=slot,
                brief=fill_form.cleaned_data["brief"],
                now=now,
                window_reason=fill_form.window_reason(),
                origin=origin,
            )
        elif action == "move" and move_form.is_valid():
            slot = services.slot_move(
                actor=request.user,
                slot=slot,
                target=move_form.cleaned_data["target"],
                now=now,
                window_reason=move_form.window_reason(),
                origin=origin,
            )
        elif action == "clear":
            services.slot_clear(actor=request.user, slot=slot, now=now, origin=origin)
        elif action == "attach":
            services.slot_attach_approved_video(actor=request.user, slot=slot, now=now, origin=origin)
        else:
            return _slot_page(request, slot, True, fill_form, move_form, status=400)
    except ValidationError as error:
        if error.code == "outside_window":
            # Ask for the reason where the eye is: at the field, with the message, keeping the choice made.
            (fill_form if action == "fill" else move_form).ask_window_reason(error.messages[0])
            return _slot_page(request, slot, True, fill_form, move_form, status=400)
        return _slot_page(request, slot, True, fill_form, move_form, status=400, error=" ".join(error.messages))
    messages.success(request, _("The calendar has been updated."))
    return redirect("slot_detail", slot.pk)


@capability_required(Capability.PLAN_CALENDAR)
def slot_create(request):
    channel = _channel(request)
    form = SlotAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slot = services.slot_add(
                actor=request.user,
                channel=channel,
                starts_at=form.cleaned_data["starts_at"],
                now=timezone.now(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error("starts_at", error)
        else:
            messages.success(request, _("The extra slot has been added."))
            return redirect("slot_detail", slot.pk)
    return render(request, "scheduling/slot_form.html", {"form": form, "channel": channel})


@capability_required(Capability.PLAN_CALENDAR)
def cadence_edit(request):
    channel = _channel(request)
    cadence = channel.cadences.order_by("-valid_from").prefetch_related("times").first()
    initial = {
        "weekdays": [1, 3],
        "local_time": "16:00",
        "min_posts_per_week": 2,
        "valid_from": _today(channel.organisation),
    }
    if cadence:
        times = list(cadence.times.all())
        initial = {
            "weekdays": [t.weekday for t in times],
            "local_time": times[0].local_time if times else "16:00",
            "min_posts_per_week": cadence.min_posts_per_week,
            "valid_from": cadence.valid_from,
            "valid_until": cadence.valid_until,
        }
    form = CadenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cadence_save(
                actor=request.user,
                channel=channel,
                now=timezone.now(),
                origin=Origin.from_request(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The cadence has been saved and the slots for the coming 26 weeks are ready."))
            return redirect(f"{reverse('calendar_month')}?channel={channel.pk}")
    return render(request, "scheduling/cadence_form.html", {"form": form, "channel": channel})


@capability_required(Capability.PLAN_CALENDAR)
def feed_manage(request):
    channel = _channel(request)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(actor=request.user, channel=channel, origin=Origin.from_request(request))
            messages.success(request, _("The calendar address has been revoked."))
        else:
            had_one = FeedToken.objects.filter(channel=channel, revoked_at__isnull=True).exists()
            services.feed_token_regenerate(actor=request.user, channel=channel, origin=Origin.from_request(request))
            if had_one:
                messages.success(request, _("A new calendar address has been made; the old one no longer works."))
            else:
                messages.success(request, _("The calendar address has been made: add it to your calendar app."))
        return redirect(f"{reverse('feed_manage')}?channel={channel.pk}")
    token = FeedToken.objects.filter(channel=channel, revoked_at__isnull=True).first()
    url = request.build_absolute_uri(reverse("calendar_feed", args=[token.token])) if token else None
    return render(request, "scheduling/feed.html", {"channel": channel, "feed_url": url})


@never_cache
@require_GET
def calendar_feed(request, token):
    """The secret-address feed: no login, so calendar apps can subscribe. Unknown or revoked: 404."""
    feed_token = (
        FeedToken.objects.filter(token=token, revoked_at__isnull=True).select_related("channel__organisation").first()
    )
    if feed_token is None:
        raise Http404
    channel = feed_token.channel
    now = timezone.now()
    since = now - timedelta(weeks=8)
    slots = Slot.objects.filter(channel=channel, starts_at__gte=since).select_related("brief").order_by("starts_at")
    response = HttpResponse(feed.build(channel, slots, now=now), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="tiktok-{channel.handle}.ics"'
    return response


@capability_required(Capability.VIEW_CALENDAR)
def calendar_csv(request):
    channel = _channel(request)
    organisation = channel.organisation
    zone = ZoneInfo(organisation.time_zone)
    slots = list(
        Slot.objects.filter(channel=channel).select_related("brief__topic", "video_version").order_by("starts_at")
    )
    _decorate(request, slots, organisation)
    trail.record_export(request, kind="calendar.csv", obj=channel, organisation=organisation)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    downloads.as_attachment(
        response, downloads.filename(pgettext("file name", "calendar"), channel.handle, extension="csv")
    )
    response.write("\ufeff")  # a byte-order mark: Excel then reads the file as UTF-8 (ë, å, ö stay themselves)
    writer = SafeWriter(response)
    writer.writerow(
        [_("date"), _("time"), _("time zone"), _("type"), _("brief"), _("status"), _("video"), _("at risk")]
    )
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        writer.writerow(
            [
                local.date().isoformat(),
                local.strftime("%H:%M"),
                organisation.time_zone,
                _("extra") if slot.is_ad_hoc else _("cadence"),
                (slot.brief.title if slot.brief_visible else _("reserved")) if slot.brief else "",
                slot.brief.get_status_display() if slot.brief and slot.brief_visible else "",
                slot.video_version.number if slot.video_version_id else "",
                _("yes") if slot.is_at_risk else "",
            ]
        )
    return response


@login_required
def handoff_download(request, pk):
    """The hand-off package of the brief's approved video, for the agency that posts it (and anyone who may see the
    brief); recorded in the trail, so it is known who took which approved version."""
    brief = get_brief_for_user(request.user, pk)
    video = handoff.approved_version(brief)
    if video is None:
        raise Http404
    package, _name = handoff.build(brief)
    trail.record_about(
        brief,
        actor=request.user,
        action=AuditAction.HANDOFF_DOWNLOADED,
        obj=video,
        origin=Origin.from_request(request),
        version=video.number,
        sha256=video.sha256 or None,
    )
    name = downloads.filename(_("hand-off"), brief.reference, f"v{video.number}", extension="zip")
    return FileResponse(package, as_attachment=True, filename=name, content_type="application/zip")

"""Disclosure: one brief's package, downloaded at once; a period's, asked for here and made by a worker
(``exports``), then downloaded from the packages page. All for those who may disclose."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import capability_required
from accounts.roles import Capability
from audit import trail
from audit.trail import Origin
from content.permissions import Act, brief_actions, get_brief_for_user
from core import queue
from core.forms import DateRangeForm

from . import exports, package, provisions, requests, tasks
from .forms import DecideForm, MaskForm, RequestForm
from .models import DisclosureExport, DisclosureRequest, ExportStatus, package_filename

REQUEST_CLOSED = gettext_lazy("This request is decided: what was masked stays as it was sent.")
PACKAGES_SHOWN = 25  # the most recent; a package's file is deleted after exports.KEEP_DAYS days anyway
REFRESH_SECONDS = 5

QUEUE_DOWN = gettext_lazy(
    "The job queue can't be reached right now. Your package waits in line and is started as soon as the queue is "
    "back, within a few minutes."
)


@login_required
def brief_disclosure(request, pk):
    """A Woo/FOI package for one brief: a ZIP with an inventory and the documents, names removed."""
    brief = get_brief_for_user(request.user, pk)
    if Act.DISCLOSE not in brief_actions(request.user, brief):
        raise PermissionDenied
    zipped = package.build_for_briefs(
        [brief], actor=request.user, title=brief.reference, now=timezone.now(), origin=Origin.from_request(request)
    )
    return FileResponse(zipped, as_attachment=True, filename=package_filename(brief.organisation, brief.reference))


def _queue(request, export: DisclosureExport) -> None:
    # Views run without a transaction: the job is committed before a worker can look for it.
    if queue.enqueue(tasks.build_export, export.pk):
        messages.success(request, _("Your package is being made. It appears here when it is ready."))
    else:
        messages.warning(request, QUEUE_DOWN)


@capability_required(Capability.DISCLOSE)
def period_disclosure(request):
    """Ask for the package of every brief made in a period; a worker makes it (it can take minutes)."""
    form = DateRangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        period = exports.Period(form.cleaned_data["start"], form.cleaned_data["end"])
        try:
            export = exports.export_request(
                actor=request.user,
                organisation=request.membership.organisation,
                period=period,
                language=translation.get_language(),
                origin=Origin.from_request(request),
                now=timezone.now(),
            )
        except exports.EmptyPeriod:
            form.add_error(None, _("No briefs were made in this period."))
        else:
            _queue(request, export)
            return redirect("disclosure_exports")
    law = request.membership.organisation.records_law
    return render(
        request, "disclosure/period_form.html", {"form": form, "law": law}, status=400 if form.errors else 200
    )


@capability_required(Capability.DISCLOSE)
def export_list(request):
    """The organisation's packages: how far each one got, and the finished ones to download."""
    packages = list(
        DisclosureExport.objects.visible_to(request.membership).select_related("organisation")[:PACKAGES_SHOWN]
    )
    # A failed or expired package that was started again offers no second start: the newer one is listed above.
    seen = set()
    for export in packages:  # newest first
        export.replaced = export.title in seen
        seen.add(export.title)
    pending = any(export.is_pending for export in packages)
    return render(
        request,
        "disclosure/export_list.html",
        {"packages": packages, "pending": pending, "refresh_seconds": REFRESH_SECONDS, "keep_days": exports.KEEP_DAYS},
    )


@capability_required(Capability.DISCLOSE)
def export_download(request, pk):
    """A finished package, for those who may disclose in its organisation (another's is not found)."""
    export = get_object_or_404(DisclosureExport.objects.visible_to(request.membership), pk=pk, status=ExportStatus.DONE)
    trail.record_export(
        request, kind="disclosure.zip", obj=export, organisation=export.organisation, name=export.filename
    )
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)


@capability_required(Capability.DISCLOSE)
@require_POST
def export_again(request, pk):
    """Start a failed or expired package again (a new job for the same period)."""
    export = get_object_or_404(DisclosureExport.objects.visible_to(request.membership), pk=pk)
    if not export.can_start_again:
        messages.error(request, _("This package is being made or is ready; it can't be started again."))
        return redirect("disclosure_exports")
    try:
        again = exports.export_again(
            actor=request.user,
            export=export,
            language=translation.get_language(),
            origin=Origin.from_request(request),
            now=timezone.now(),
        )
    except exports.EmptyPeriod:
        messages.error(request, _("No briefs were made in this period any more."))
        return redirect("disclosure_exports")
    except exports.AlreadyAgain:
        messages.info(request, _("This package was started again already: see the newer one in the list."))
        return redirect("disclosure_exports")
    _queue(request, again)
    return redirect("disclosure_exports")


# Requests: registered, masked, packaged, decided (``requests``).


@capability_required(Capability.DISCLOSE)
def request_list(request):
    """The organisation's requests, oldest open one first, each with its age (a request is handled promptly)."""
    today = timezone.localdate(timezone.now(), request.membership.organisation.zone)
    rows = list(
        DisclosureRequest.objects.visible_to(request.membership)
        .annotate(maskings_count=Count("maskings", distinct=True), briefs_count=Count("briefs", distinct=True))
        .order_by(F("decided_at").desc(nulls_first=True), "received_on", "pk")
    )
    for row in rows:
        row.age = requests.age_in_days(row, today)
        row.late = requests.needs_attention(row, today)
    organisation = request.membership.organisation
    return render(
        request,
        "disclosure/request_list.html",
        {
            "rows": rows,
            "law": organisation.records_law,
            "attention_days": requests.ATTENTION_AFTER_DAYS[organisation.records_law],
        },
    )


@capability_required(Capability.DISCLOSE)
def request_add(request):
    now = timezone.now()
    today = timezone.localdate(now, request.membership.organisation.zone)
    form = RequestForm(request.POST or None, today=today, initial={"received_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registered = requests.register_request(
                actor=request.user,
                organisation=request.membership.organisation,
                requester=data["requester"],
                requester_contact=data["requester_contact"],
                received_on=data["received_on"],
                subject=data["subject"],
                period=exports.Period(data["start"], data["end"]),
                origin=Origin.from_request(request),
                now=now,
            )
        except exports.EmptyPeriod:
            form.add_error("start", _("No briefs were made in this period: choose the period the request is about."))
        else:
            messages.success(request, _("Request %(reference)s is registered.") % {"reference": registered.reference})
            carried = registered.maskings.count()
            if carried:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s passage masked in an earlier request for these documents is masked here too: "
                        "check it below.",
                        "%(count)s passages masked in earlier requests for these documents are masked here too: "
                        "check them below.",
                        carried,
                    )
                    % {"count": carried},
                )
            return redirect("disclosure_request", registered.pk)
    return render(
        request,
        "disclosure/request_form.html",
        {"form": form, "law": request.membership.organisation.records_law},
        status=400 if form.errors else 200,
    )


def _visible_request(request, pk) -> DisclosureRequest:
    return get_object_or_404(
        DisclosureRequest.objects.visible_to(request.membership).select_related("organisation", "decided_by"), pk=pk
    )


def _request_page(request, disclosure_request, *, mask_form=None, status=200):
    today = timezone.localdate(timezone.now(), disclosure_request.organisation.zone)
    labels = {p.code: p.label for p in provisions.for_law(disclosure_request.jurisdiction)}
    maskings = list(disclosure_request.maskings.select_related("brief", "carried_from__request"))
    for masked in maskings:
        masked.label = labels.get(masked.provision, "")
    return render(
        request,
        "disclosure/request_detail.html",
        {
            "disclosure_request": disclosure_request,
            "age": requests.age_in_days(disclosure_request, today),
            "late": requests.needs_attention(disclosure_request, today),
            "attention_days": requests.ATTENTION_AFTER_DAYS[disclosure_request.jurisdiction],
            "briefs": disclosure_request.briefs.select_related("topic").order_by("number"),
            "maskings": maskings,
            "mask_form": mask_form or MaskForm(request=disclosure_request),
            "decide_form": DecideForm(),
            "packages": disclosure_request.exports.select_related("organisation", "request").order_by(
                "-created_at", "-pk"
            ),
        },
        status=status,
    )


@capability_required(Capability.DISCLOSE)
def request_detail(request, pk):
    return _request_page(request, _visible_request(request, pk))


@capability_required(Capability.DISCLOSE)
@require_POST
def request_mask(request, pk):
    disclosure_request = _visible_request(request, pk)
    form = MaskForm(request.POST, request=disclosure_request)
    if form.is_valid():
        try:
            requests.mask_passage(
                actor=request.user,
                request=disclosure_request,
                passage=form.cleaned_data["passage"],
                provision=form.cleaned_data["provision"],
                reason=form.cleaned_data["reason"],
                brief=form.cleaned_data["brief"],
                origin=Origin.from_request(request),
                now=timezone.now(),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field, problem)
        except requests.RequestClosed:
            messages.error(request, REQUEST_CLOSED)
            return redirect("disclosure_request", pk)
        else:
            messages.success(request, _("The passage is masked in the request's package."))
            return redirect("disclosure_request", pk)
    return _request_page(request, disclosure_request, mask_form=form, status=400)


@capability_required(Capability.DISCLOSE)
@require_POST
def request_unmask(request, pk, masking_pk):
    disclosure_request = _visible_request(request, pk)
    masked = get_object_or_404(disclosure_request.maskings, pk=masking_pk)
    try:
        requests.release_passage(actor=request.user, masked=masked, origin=Origin.from_request(request))
    except requests.RequestClosed:
        messages.error(request, REQUEST_CLOSED)
    else:
        messages.success(request, _("The passage is no longer masked."))
    return redirect("disclosure_request", pk)


@capability_required(Capability.DISCLOSE)
@require_POST
def request_package(request, pk):
    disclosure_request = _visible_request(request, pk)
    export = requests.package_request(
        actor=request.user,
        request=disclosure_request,
        language=translation.get_language(),
        origin=Origin.from_request(request),
        now=timezone.now(),
    )
    _queue(request, export)
    return redirect("disclosure_exports")


@capability_required(Capability.DISCLOSE)
@require_POST
def request_decide(request, pk):
    disclosure_request = _visible_request(request, pk)
    form = DecideForm(request.POST)
    form.is_valid()  # the note is optional and free text: always valid
    now = timezone.now()
    try:
        requests.record_decision(
            actor=request.user,
            request=disclosure_request,
            note=form.cleaned_data.get("note", ""),
            origin=Origin.from_request(request),
            now=now,
        )
    except requests.RequestClosed:
        messages.error(request, REQUEST_CLOSED)
        return redirect("disclosure_request", pk)
    messages.success(request, _("The decision is recorded: the final package, with the decision dated, is made now."))
    # The package to send: its decision document carries the decision's date, no longer "draft".
    final = requests.package_request(
        actor=request.user,
        request=disclosure_request,
        language=translation.get_language(),
        origin=Origin.from_request(request),
        now=now,
    )
    if not queue.enqueue(tasks.build_export, final.pk):
        messages.warning(request, QUEUE_DOWN)
    return redirect("disclosure_request", pk)

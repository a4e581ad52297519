"""Disclosure: one brief's package, downloaded at once; a period's, asked for here and made by a worker
(``exports``), then downloaded from the packages page. All for those who may disclose."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import capability_required
from accounts.roles import Capability
from audit import trail
from audit.trail import Origin
from content.permissions import Act, brief_actions, get_brief_for_user
from core import queue
from core.forms import DateRangeForm

from . import exports, package, tasks
from .models import DisclosureExport, ExportStatus

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
    return FileResponse(zipped, as_attachment=True, filename=f"woo-{brief.reference}.zip")


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
    return render(request, "disclosure/period_form.html", {"form": form}, status=400 if form.errors else 200)


@capability_required(Capability.DISCLOSE)
def export_list(request):
    """The organisation's packages: how far each one got, and the finished ones to download."""
    packages = list(DisclosureExport.objects.visible_to(request.membership)[:PACKAGES_SHOWN])
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

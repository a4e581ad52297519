"""The archive's pages: packages (for those who may disclose), and the retention terms and destruction lists (for the
organisation's admins, under the organisation settings). Objects are looked up through ``visible_to``, so another
organisation's are not found; every change goes through a service, which guards and audits it again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import capability_required
from accounts.models import Membership
from accounts.roles import Capability, Role
from audit import trail
from audit.trail import Origin
from core import queue
from core.pagination import paginate
from disclosure.holds import held_brief_ids

from . import destruction, retention, services, tasks
from .forms import DecisionForm, PackageForm, RetentionForm
from .models import ArchivePackage, DestructionList, DestructionStatus, PackageStatus

archive_page = capability_required(Capability.DISCLOSE)
settings_page = capability_required(Capability.MANAGE_ORGANISATION)

PACKAGES_PER_PAGE = 25
LISTS_SHOWN = 10


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _queue(request, package: ArchivePackage) -> None:
    # Views run without a transaction: the package is committed before a worker can look for it.
    if queue.enqueue(tasks.build_package, package.pk):
        messages.success(request, _("The package is being made. It appears here when it is ready."))
    else:
        messages.warning(
            request, _("The job queue can't be reached right now. The package is made by the daily job at the latest.")
        )


@archive_page
def packages(request):
    """The organisation's archive packages, newest first, and the form to make one now."""
    form = PackageForm(membership=request.membership)
    return _packages_page(request, form)


def _packages_page(request, form, status=200):
    rows = ArchivePackage.objects.visible_to(request.membership).select_related(
        "posting__brief", "topic", "made_by", "requested_by"
    )
    return render(
        request,
        "archive/packages.html",
        {
            "page": paginate(request, rows, per_page=PACKAGES_PER_PAGE),
            "form": form,
            "figures_final_days": services.FIGURES_FINAL_AFTER.days,
        },
        status=status,
    )


@archive_page
@require_POST
def package_make(request):
    form = PackageForm(request.POST, membership=request.membership)
    if form.is_valid():
        try:
            package = services.archive_package_request(
                actor=request.user,
                organisation=request.organisation,
                posting=form.cleaned_data["posting"],
                topic=form.cleaned_data["topic"],
                now=timezone.now(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _queue(request, package)
            return redirect("archive_packages")
    return _packages_page(request, form, status=400)


@archive_page
def package_download(request, pk):
    """A finished package, for those who may disclose in its organisation (another's is not found)."""
    package = get_object_or_404(ArchivePackage.objects.visible_to(request.membership), pk=pk, status=PackageStatus.DONE)
    trail.record_export(
        request, kind="archive.zip", obj=package, organisation=package.organisation, name=package.filename
    )
    return FileResponse(package.file.open("rb"), as_attachment=True, filename=package.filename)


@archive_page
@require_POST
def package_again(request, pk):
    package = get_object_or_404(ArchivePackage.objects.visible_to(request.membership), pk=pk)
    if services.archive_package_retry(
        actor=request.user, package=package, now=timezone.now(), origin=Origin.from_request(request)
    ):
        _queue(request, package)
    else:
        messages.info(request, _("This package is being made or is ready; it can't be started again."))
    return redirect("archive_packages")


@settings_page
def retention_settings(request):
    terms = retention.terms_for(request.organisation)
    form = RetentionForm(request.POST or None, terms=terms)
    if request.method == "POST" and form.is_valid():
        try:
            changes = retention.retention_save(
                actor=request.user,
                organisation=request.organisation,
                terms=form.terms(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changes:
                messages.success(request, _("The retention terms have been saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("settings_retention")
    return render(
        request,
        "archive/retention.html",
        {"form": form, "terms": terms.values(), "any_default": any(term.is_default for term in terms.values())},
        status=400 if form.errors else 200,
    )


@settings_page
def destruction_lists(request):
    """The list in progress (its items, with anything a disclosure request now holds flagged) and earlier lists."""
    lists = DestructionList.objects.visible_to(request.membership).select_related(
        "proposed_by", "decided_by", "carried_out_by"
    )
    current = lists.filter(status__in=[DestructionStatus.PROPOSED, DestructionStatus.APPROVED]).first()
    items, held_requests = [], []
    if current is not None:
        held = held_brief_ids(request.organisation.pk)
        for item in current.items.select_related("brief", "posting", "package"):
            item.held = bool(destruction.item_brief_ids(item) & held)
            items.append(item)
        held_requests = destruction.holding_requests_of(current)
    return render(
        request,
        "archive/destruction.html",
        {
            "current": current,
            "items": items,
            "held_requests": held_requests,
            "earlier": lists.exclude(status__in=[DestructionStatus.PROPOSED, DestructionStatus.APPROVED])[:LISTS_SHOWN],
            "decision_form": DecisionForm(),
            "may_decide": current is not None and current.proposed_by_id != request.user.pk,
            # Four eyes need a second organisation admin: without one, the page says how to get one.
            "other_admins": Membership.objects.filter(
                organisation=request.organisation, role=Role.ORGANISATION_ADMIN, is_active=True, user__is_active=True
            )
            .exclude(user=request.user)
            .exists(),
        },
    )


@settings_page
@require_POST
def destruction_propose(request):
    try:
        destruction.destruction_propose(
            actor=request.user,
            organisation=request.organisation,
            now=timezone.now(),
            origin=Origin.from_request(request),
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The destruction list is proposed. Another organisation admin approves it."))
    return redirect("settings_destruction")


@settings_page
@require_POST
def destruction_decide(request, pk):
    current = get_object_or_404(DestructionList.objects.visible_to(request.membership), pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        destruction.destruction_decide(
            actor=request.user,
            destruction=current,
            approve=request.POST.get("decision") == "approve",
            note=form.cleaned_data.get("note", ""),
            now=timezone.now(),
            origin=Origin.from_request(request),
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Your decision on the destruction list is recorded."))
    return redirect("settings_destruction")


@settings_page
@require_POST
def destruction_carry_out(request, pk):
    current = get_object_or_404(DestructionList.objects.visible_to(request.membership), pk=pk)
    try:
        destruction.destruction_carry_out(
            actor=request.user, destruction=current, now=timezone.now(), origin=Origin.from_request(request)
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The destruction list has been carried out."))
    return redirect("settings_destruction")

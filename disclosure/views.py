"""Disclosure downloads: one brief's package, or every brief of a period, for those who may disclose."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import capability_required
from accounts.roles import Capability
from content.models import Brief
from content.permissions import Act, brief_actions, get_brief_for_user
from core.forms import DateRangeForm

from . import package


@login_required
def brief_disclosure(request, pk):
    """A Woo/FOI package for one brief: a ZIP with an inventory and the documents, names removed."""
    brief = get_brief_for_user(request.user, pk)
    if Act.DISCLOSE not in brief_actions(request.user, brief):
        raise PermissionDenied
    zipped = package.build_for_briefs([brief], actor=request.user, title=brief.reference, now=timezone.now())
    return FileResponse(zipped, as_attachment=True, filename=f"woo-{brief.reference}.zip")


@capability_required(Capability.DISCLOSE)
def period_disclosure(request):
    form = DateRangeForm(request.GET or None)
    if request.GET and form.is_valid():
        briefs = list(
            Brief.objects.visible_to(request.membership)
            .filter(
                created_at__date__gte=form.cleaned_data["start"],
                created_at__date__lte=form.cleaned_data["end"],
            )
            .select_related("organisation", "agency", "topic", "channel")
        )
        if briefs:
            title = f"{form.cleaned_data['start']:%Y%m%d}-{form.cleaned_data['end']:%Y%m%d}"
            zipped = package.build_for_briefs(briefs, actor=request.user, title=title, now=timezone.now())
            return FileResponse(zipped, as_attachment=True, filename=f"woo-{title}.zip")
        form.add_error(None, _("No briefs were made in this period."))
    return render(request, "disclosure/period_form.html", {"form": form})

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import capability_required
from accounts.roles import Capability
from audit.trail import Origin
from content.permissions import Act, brief_actions, briefs_visible_to, get_brief_for_user
from content.views import brief_page

from . import disclosure, inbox, services
from .forms import DecisionForm
from .models import ApprovalRun


@login_required
def inbox_view(request):
    now = timezone.now()
    return render(
        request,
        "approvals/inbox.html",
        {
            "waiting_for_me": inbox.waiting_for(request.user, request.membership, now=now),
            "waiting_for_others": inbox.waiting_for_others(request.user, request.membership, now=now),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    run = get_object_or_404(ApprovalRun.objects.filter(brief__in=briefs_visible_to(request.user)), pk=pk)
    form = DecisionForm(request.POST, run=run)
    if form.is_valid():
        try:
            services.decide(
                actor=request.user,
                run_id=run.pk,
                version_number=form.cleaned_data["version"],
                step_position=form.cleaned_data["step"],
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
                checked_constraint_ids=form.checked_ids(),
                origin=Origin.from_request(request),
            )
        except services.ApprovalRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your decision has been recorded."))
            return redirect("brief_detail", run.brief_id)
    brief = get_brief_for_user(request.user, run.brief_id)
    return brief_page(request, brief, status=400, decision_form=form)


@login_required
def brief_disclosure(request, pk):
    """A Woo/FOI package for one brief: a ZIP with an inventory and the documents, names removed."""
    brief = get_brief_for_user(request.user, pk)
    if Act.DISCLOSE not in brief_actions(request.user, brief):
        raise PermissionDenied
    package = disclosure.build_for_briefs([brief], actor=request.user, title=brief.reference, now=timezone.now())
    return FileResponse(package, as_attachment=True, filename=f"woo-{brief.reference}.zip")


@capability_required(Capability.DISCLOSE)
def period_disclosure(request):
    form = disclosure.PeriodForm(request.GET or None)
    if request.GET and form.is_valid():
        briefs = list(
            briefs_visible_to(request.user)
            .filter(
                organisation=request.organisation,
                created_at__date__gte=form.cleaned_data["start"],
                created_at__date__lte=form.cleaned_data["end"],
            )
            .select_related("organisation", "agency", "topic", "channel")
        )
        if briefs:
            title = f"{form.cleaned_data['start']:%Y%m%d}-{form.cleaned_data['end']:%Y%m%d}"
            package = disclosure.build_for_briefs(briefs, actor=request.user, title=title, now=timezone.now())
            return FileResponse(package, as_attachment=True, filename=f"woo-{title}.zip")
        form.add_error(None, _("No briefs were made in this period."))
    return render(request, "approvals/disclosure_form.html", {"form": form})

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.trail import Origin
from content.forms import ScriptForm, VideoForm
from content.models import Brief
from content.permissions import Act, brief_actions, get_brief_for_user
from content.views import brief_page
from core.pagination import paginate

from . import inbox, services
from .forms import DecisionForm
from .models import ApprovalRun


@login_required
def inbox_view(request):
    now = timezone.now()
    waiting = inbox.waiting_for(request.user, request.membership, now=now)
    request.inbox_count = len(waiting)  # for the navigation's count
    return render(
        request,
        "approvals/inbox.html",
        {
            "waiting_for_me": paginate(request, waiting),
            "waiting_for_others": paginate(
                request, inbox.waiting_for_others(request.user, request.membership, now=now), parameter="others"
            ),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    run = get_object_or_404(ApprovalRun.objects.filter(brief__in=Brief.objects.visible_to_user(request.user)), pk=pk)
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


def _agency_form_view(request, pk, act, form_class, template, save):
    brief = get_brief_for_user(request.user, pk)
    if act not in brief_actions(request.user, brief):
        raise PermissionDenied
    form = form_class(request.POST or None, request.FILES or None, brief=brief)
    if request.method == "POST" and form.is_valid():
        try:
            save(brief, form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("brief_detail", brief.pk)
    return render(request, template, {"form": form, "brief": brief})


@login_required
def script_create(request, pk):
    def save(brief, form):
        version = services.script_version_add(
            actor=request.user,
            brief=brief,
            text=form.cleaned_data["text"],
            shot_list=form.cleaned_data["shot_list"],
            duration_target=form.cleaned_data["duration_target"],
            creators=list(form.cleaned_data["creators"]),
            origin=Origin.from_request(request),
        )
        messages.success(request, _("Script version %(number)s is delivered for review.") % {"number": version.number})

    return _agency_form_view(request, pk, Act.ADD_SCRIPT, ScriptForm, "approvals/script_form.html", save)


@login_required
def video_create(request, pk):
    def save(brief, form):
        version = services.video_version_add(
            actor=request.user,
            brief=brief,
            creators=list(form.cleaned_data["creators"]),
            has_subtitles=form.cleaned_data["has_subtitles"],
            file=form.cleaned_data["file"],
            info=form.info,
            preview_url=form.cleaned_data["preview_url"],
            origin=Origin.from_request(request),
        )
        messages.success(request, _("Video version %(number)s is delivered for review.") % {"number": version.number})

    return _agency_form_view(request, pk, Act.ADD_VIDEO, VideoForm, "approvals/video_form.html", save)

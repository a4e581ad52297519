from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from audit.trail import Origin
from content import publication
from content.forms import ScriptForm, VideoForm
from content.models import Brief, PublicationRules
from content.permissions import Act, brief_actions, get_brief_for_user, sees_roles_not_names
from core import diff
from core.pagination import paginate

from . import inbox, rules, services
from .forms import DecisionForm
from .models import ApprovalRun, Stage


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
def decide(request, pk):
    run = _visible_run(request, pk)
    if request.method != "POST":
        # An address typed or bookmarked, or a reload after an error: the review page holds the form.
        return redirect("review", run.pk)
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
                checked_checks=form.checked_checks(),
                at_seconds=form.cleaned_data.get("at"),
                today=timezone.now().astimezone(run.brief.organisation.zone).date(),
                origin=Origin.from_request(request),
            )
        except services.ApprovalRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your decision has been recorded."))
            # From the review page back to the inbox: the next item waits there.
            if request.POST.get("from_review"):
                # Its own fragment: the browser would otherwise carry the form's #decision over the redirect.
                return redirect(reverse("inbox") + "#mine-heading")
            return redirect("brief_detail", run.brief_id)
    return review_page(request, run, form=form, status=400)


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
            publication=form.publication(),
            origin=Origin.from_request(request),
        )
        messages.success(request, _("Script version %(number)s is delivered for review.") % {"number": version.number})
        _warn_of_problems(request, version)

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
            same_video_as=form.last_video if form.cleaned_data.get("same_video") else None,
            publication=form.publication(),
            subtitle_file=form.cleaned_data["subtitle_file"],
            transcript=form.cleaned_data["transcript"],
            cover_seconds=form.cleaned_data["cover_seconds"],
            music_source=form.cleaned_data["music_source"],
            people=form.people_on_screen(),
            origin=Origin.from_request(request),
        )
        messages.success(request, _("Video version %(number)s is delivered for review.") % {"number": version.number})
        _warn_of_problems(request, version)

    return _agency_form_view(request, pk, Act.ADD_VIDEO, VideoForm, "approvals/video_form.html", save)


def _settings_text(version) -> str:
    """The TikTok settings as words, so a change shows in the comparison ("Duets allowed: no → yes")."""
    return "; ".join(f"{label}: {_('yes') if value else _('no')}" for label, value in version.tiktok_settings())


def _warn_of_problems(request, version) -> None:
    """Whoever delivers a version hears at once what will stand in the way of its approval (the reviewers see the
    same list), rather than from a request for changes days later."""
    found = publication.problems(
        version,
        PublicationRules.of(version.brief.organisation),
        timezone.now().astimezone(version.brief.organisation.zone).date(),
    )
    if found:
        messages.warning(
            request,
            _("It can't be approved as it is: %(problems)s Deliver a new version with this put right.")
            % {"problems": " ".join(str(problem) for problem in found)},
        )


def _video_text(version) -> str:
    """The video itself, so the comparison shows whether it changed: the same file (by its SHA-256) or link, or not."""
    if version.file:
        return _("File %(hash)s") % {"hash": (version.sha256 or version.file.name)[:12]}
    return _("Preview link %(link)s") % {"link": version.preview_url}


def _creators_text(version) -> str:
    return ", ".join(sorted(creator.display_name for creator in version.creators.all()))


def _subtitles_text(version) -> str:
    parts = [_("subtitle file")] if version.subtitle_file else []
    if version.has_subtitles:
        parts.append(_("burned in"))
    return ", ".join(parts) or _("none")


def _register_text(version) -> str:
    return "; ".join(
        f"{person.name}: {person.release_reference or '—'}" for person in version.people_on_screen.order_by("pk")
    )


def _visible_run(request, pk) -> ApprovalRun:
    return get_object_or_404(
        ApprovalRun.objects.filter(brief__in=Brief.objects.visible_to_user(request.user)).select_related(
            "brief__organisation", "script_version", "video_version"
        ),
        pk=pk,
    )


@login_required
def review(request, pk):
    return review_page(request, _visible_run(request, pk))


def review_page(request, run, *, form=None, status=200):
    """One version's review page (phone first): the version, the decision form for whoever may decide now, this
    review's decisions, the previous version's feedback and a word-level comparison with it, then the brief."""
    brief = run.brief  # _visible_run found it among the briefs the user sees
    membership = access.membership_in(request.user, brief.organisation_id)
    if form is None and rules.may_decide(request.user, run):
        form = DecisionForm(run=run)
    version = run.version
    versions = brief.video_versions if run.stage == Stage.VIDEO else brief.script_versions
    previous = versions.filter(number__lt=version.number).order_by("-number").first()
    previous_run = (
        ApprovalRun.objects.filter(**{f"{run.stage}_version": previous}).order_by("-pk").first() if previous else None
    )
    steps = list(run.steps.order_by("position"))
    current = next((step for step in steps if step.position == run.current_position), None)
    diffs = []
    if previous is not None:
        for label, old, new in (
            (_("Caption"), previous.caption, version.caption),
            (_("Hashtags"), previous.hashtags, version.hashtags),
            (_("TikTok settings"), _settings_text(previous), _settings_text(version)),
        ):
            pieces = diff.words(old, new)
            if diff.changed(pieces):
                diffs.append((label, pieces))
    if previous is not None and run.stage == Stage.VIDEO:
        for label, old, new in (
            (_("Video"), _video_text(previous), _video_text(version)),
            (_("Creators"), _creators_text(previous), _creators_text(version)),
            (_("Subtitles"), _subtitles_text(previous), _subtitles_text(version)),
            (_("Transcript"), previous.transcript, version.transcript),
            (_("Consent register"), _register_text(previous), _register_text(version)),
        ):
            pieces = diff.words(old, new)
            if diff.changed(pieces):
                diffs.append((label, pieces))
    if previous is not None and run.stage == Stage.SCRIPT:
        for label, old, new in (
            (_("Script"), previous.text, version.text),
            (_("Shot list"), previous.shot_list, version.shot_list),
        ):
            pieces = diff.words(old, new)
            if diff.changed(pieces):
                diffs.append((label, pieces))
        if previous.duration_target != version.duration_target:
            seconds = _("%(seconds)s s")
            diffs.append(
                (
                    _("Target duration"),
                    diff.words(
                        seconds % {"seconds": previous.duration_target}, seconds % {"seconds": version.duration_target}
                    ),
                )
            )

    def decisions_of(a_run):
        if a_run is None:
            return []
        return list(a_run.decisions.select_related("actor", "step", "run__video_version").order_by("decided_at"))

    return render(
        request,
        "approvals/review.html",
        {
            "brief": brief,
            "run": run,
            "version": version,
            "stage_label": run.get_stage_display(),
            "form": form,
            "steps": steps,
            "current_step": current,
            "current_index": steps.index(current) + 1 if current else None,
            "decisions": decisions_of(run),
            "previous": previous,
            "previous_decisions": decisions_of(previous_run),
            "diffs": diffs,
            "viewer_is_agency": sees_roles_not_names(membership),
            "publication_problems": publication.problems(
                version,
                PublicationRules.of(brief.organisation),
                timezone.now().astimezone(brief.organisation.zone).date(),
            )
            if run.is_open
            else [],
            "is_video": run.stage == Stage.VIDEO,
            "people_on_screen": list(version.people_on_screen.select_related("creator"))
            if run.stage == Stage.VIDEO
            else [],
        },
        status=status,
    )

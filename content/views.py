"""Brief pages: views only translate between HTTP and ``content.services``; permission questions go to
``content.permissions``; lookups are scoped, so another organisation's or agency's brief is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import capability_required
from accounts.models import Membership
from accounts.roles import Capability, Role
from audit import trail
from audit.timeline import timeline_for
from audit.trail import Origin
from core import downloads, hooks
from core.pagination import paginate

from . import planning, progress, services, states, subtitles
from .forms import (
    AttachmentForm,
    BriefFilterForm,
    BriefForm,
    CommentForm,
    CreatorForm,
    FocusGroupForm,
    PostingForm,
    TopicForm,
)
from .models import Attachment, Brief, BriefStatus, Creator, Topic, VideoVersion
from .permissions import Act, brief_actions, get_brief_for_user, sees_roles_not_names


@capability_required(Capability.VIEW_BRIEFS)
def brief_list(request):
    briefs = (
        Brief.objects.visible_to(request.membership)
        .select_related("topic", "channel", "agency")
        .order_by("-updated_at")
    )
    form = BriefFilterForm(request.GET or None, organisation=request.organisation, membership=request.membership)
    if form.is_valid():
        briefs = form.filter(briefs)
    page = paginate(request, briefs)
    page.object_list = list(page.object_list)
    where = progress.where(page.object_list)
    for brief in page.object_list:
        brief.where = where[brief.pk]
    return render(
        request,
        "content/brief_list.html",
        {
            "briefs": page,
            "form": form,
            "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
            "can_create": access.has_capability(request.membership, Capability.DRAFT_BRIEFS),
        },
    )


@capability_required(Capability.DRAFT_BRIEFS)
def brief_create(request):
    return _brief_form(request, brief=None)


@login_required
def brief_edit(request, pk):
    brief = get_brief_for_user(request.user, pk)
    if Act.EDIT not in brief_actions(request.user, brief):
        raise PermissionDenied
    return _brief_form(request, brief=brief)


def _brief_form(request, *, brief):
    organisation = brief.organisation if brief else request.organisation
    form = BriefForm(request.POST or None, instance=brief, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.BRIEF_FIELDS}
        common = {"actor": request.user, "fields": fields, "constraints": form.constraint_lines()}
        try:
            if brief is None:
                brief = services.brief_create(organisation=organisation, origin=Origin.from_request(request), **common)
                messages.success(request, _("The draft brief has been saved."))
            else:
                services.brief_update(brief=brief, origin=Origin.from_request(request), **common)
                messages.success(request, _("The brief has been saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("brief_detail", brief.pk)
    return render(request, "content/brief_form.html", {"form": form, "brief": brief})


def brief_page(request, brief, *, status=200, **forms):
    """Render a brief's page; a form that failed validation is passed in to keep what was typed. Apps above
    content add their parts (versions and reviews, budget, ...) through the ``brief_panels`` hook."""
    user = request.user
    membership = access.membership_in(user, brief.organisation_id)
    actions = brief_actions(user, brief, membership)
    # Agency members see role labels instead of civil servants' names (they may not see the staff list).
    viewer_is_agency = sees_roles_not_names(membership)
    panels = {}
    for hook in hooks.get("brief_panels"):
        panel = hook(request, brief, membership, forms)
        if panel is not None:
            panels.setdefault(panel.place, []).append(panel)
    roles = dict(Membership.objects.filter(organisation=brief.organisation).values_list("user_id", "role"))
    context = {
        "brief": brief,
        "actions": actions,
        "viewer_is_agency": viewer_is_agency,
        "constraints": brief.constraints.all(),
        "panels": panels,
        "comments": [(c, roles.get(c.author_id)) for c in brief.comments.select_related("author")],
        "timeline": timeline_for(brief),
        "focus_group_tests": brief.focus_group_tests.all(),
        "posting": getattr(brief, "posting", None) if brief.status == BriefStatus.POSTED else None,
        "planned": planning.planned_posting(brief),
        "where": progress.where([brief])[brief.pk],
        "comment_form": forms.get("comment_form") or CommentForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "attachments": brief.attachments.all(),
        "transition_error": forms.get("transition_error"),
        "role_labels": dict(Role.choices),
    }
    return render(request, "content/brief_detail.html", context, status=status)


@login_required
def brief_detail(request, pk):
    return brief_page(request, get_brief_for_user(request.user, pk))


@login_required
@require_POST
def brief_transition(request, pk):
    brief = get_brief_for_user(request.user, pk)
    action = request.POST.get("action", "")
    try:
        services.brief_transition(
            actor=request.user,
            brief=brief,
            action=action,
            comment=request.POST.get("comment", ""),
            origin=Origin.from_request(request),
        )
    except (ValidationError, states.InvalidTransition) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        brief.refresh_from_db()
        return brief_page(request, brief, status=400, transition_error=message)
    messages.success(request, _("Done: the brief is now “%(status)s”.") % {"status": brief.get_status_display()})
    return redirect("brief_detail", brief.pk)


@login_required
def video_file(request, pk, number):
    """Serve an uploaded video only to people who may see its brief (never from a public path)."""
    brief = get_brief_for_user(request.user, pk)
    version = get_object_or_404(VideoVersion, brief=brief, number=number)
    if not version.file:
        raise Http404
    response = FileResponse(version.file.open("rb"), content_type=version.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def video_accessibility_file(request, pk, number, kind):
    """A version's subtitle file or transcript, as a download, to the people who may see its brief."""
    brief = get_brief_for_user(request.user, pk)
    version = get_object_or_404(VideoVersion, brief=brief, number=number)
    word = _("transcript") if kind == "transcript" else _("subtitles")
    if kind == "track" and version.subtitle_file:
        # For the review's player: the checked file as WebVTT, whatever it was delivered as.
        with version.subtitle_file.open("rb") as source:
            _format, cues = subtitles.parse(source.read(), version.subtitle_file.name)
        response = HttpResponse(subtitles.as_webvtt(cues), content_type="text/vtt; charset=utf-8")
    elif kind == "transcript" and version.transcript.strip():
        response = HttpResponse(version.transcript.strip() + "\n", content_type="text/plain; charset=utf-8")
        downloads.as_attachment(response, downloads.filename(word, brief.reference, f"v{number}", extension="txt"))
    elif kind == "subtitles" and version.subtitle_file:
        extension = version.subtitle_file.name.rsplit(".", 1)[-1]
        response = FileResponse(
            version.subtitle_file.open("rb"),
            content_type="text/vtt; charset=utf-8" if extension == "vtt" else "application/x-subrip; charset=utf-8",
            as_attachment=True,
            filename=downloads.filename(word, brief.reference, f"v{number}", extension=extension),
        )
    else:
        raise Http404
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_create(request, pk):
    brief = get_brief_for_user(request.user, pk)
    if Act.ATTACH not in brief_actions(request.user, brief):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        services.attachment_add(
            actor=request.user,
            brief=brief,
            file=form.cleaned_data["file"],
            content_type=form.content_type,
            origin=Origin.from_request(request),
        )
        messages.success(request, _("The attachment has been added."))
        return redirect("brief_detail", brief.pk)
    return brief_page(request, brief, status=400, attachment_form=form)


@login_required
def attachment_file(request, pk, attachment_pk):
    """Download an attachment, only for people who may see the brief."""
    brief = get_brief_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, brief=brief, pk=attachment_pk)
    trail.record_export(
        request, kind="attachment", obj=attachment, organisation=brief.organisation, subject=brief, name=attachment.name
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def comment_create(request, pk):
    brief = get_brief_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                actor=request.user, brief=brief, text=form.cleaned_data["text"], origin=Origin.from_request(request)
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, _("Your comment has been added."))
            return redirect("brief_detail", brief.pk)
    return brief_page(request, brief, status=400, comment_form=form)


@login_required
def posting_create(request, pk):
    brief = get_brief_for_user(request.user, pk)
    if Act.POST not in brief_actions(request.user, brief):
        raise PermissionDenied
    now = timezone.now()
    form = PostingForm(request.POST or None, now=now, planned=planning.planned_posting(brief))
    if request.method == "POST" and form.is_valid():
        try:
            services.posting_record(
                actor=request.user,
                brief=brief,
                tiktok_url=form.cleaned_data["tiktok_url"],
                posted_at=form.cleaned_data["posted_at"],
                now=now,
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error("tiktok_url" if error.code in ("bad_url", "wrong_channel", "duplicate") else None, error)
        else:
            messages.success(request, _("The video is recorded as posted. Team social has a webcare task for it."))
            return redirect("brief_detail", brief.pk)
    return render(request, "content/posting_form.html", {"form": form, "brief": brief})


@login_required
def focus_group_create(request, pk):
    brief = get_brief_for_user(request.user, pk)
    if Act.FOCUS_GROUP not in brief_actions(request.user, brief):
        raise PermissionDenied
    form = FocusGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.focus_group_record(
                actor=request.user, brief=brief, origin=Origin.from_request(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The focus-group test has been recorded."))
            return redirect("brief_detail", brief.pk)
    return render(request, "content/focus_group_form.html", {"form": form, "brief": brief})


@capability_required(Capability.VIEW_BRIEFS)
def topic_list(request):
    topics = Topic.objects.visible_to(request.membership).select_related("owner")
    can_edit = access.has_capability(request.membership, Capability.DRAFT_BRIEFS)
    form = None
    if can_edit:
        owners = access.people_with_role(request.organisation, Role.COMMUNICATION_ADVISER)
        form = TopicForm(request.POST or None, organisation=request.organisation, owners=owners)
        if request.method == "POST" and form.is_valid():
            try:
                topic = services.topic_create(
                    actor=request.user,
                    organisation=request.organisation,
                    fields=form.cleaned_data,
                    origin=Origin.from_request(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Topic “%(name)s” has been added.") % {"name": topic.name})
                return redirect("topic_list")
    elif request.method == "POST":
        raise PermissionDenied
    # The agency never sees the organisation's staff by name (so not as topic owners either).
    can_see_people = access.has_capability(request.membership, Capability.VIEW_PEOPLE)
    return render(
        request, "content/topic_list.html", {"topics": topics, "form": form, "can_see_people": can_see_people}
    )


@capability_required(Capability.PRODUCE_CONTENT)
def creator_list(request):
    agency = request.membership.agency
    creators = Creator.objects.visible_to(request.membership)
    form = CreatorForm(request.POST or None, instance=Creator(agency=agency))
    if request.method == "POST" and form.is_valid():
        try:
            creator = services.creator_create(
                actor=request.user,
                organisation=request.organisation,
                fields=form.cleaned_data,
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Creator @%(handle)s has been added.") % {"handle": creator.handle})
            return redirect("creator_list")
    return render(request, "content/creator_list.html", {"creators": creators, "form": form, "agency": agency})

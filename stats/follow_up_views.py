"""Team social's follow-ups: what the checks found (a live post that differs from its approval, a video on the
channel that no approved brief records, rights that end), each looked into and closed with what was done."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import capability_required
from accounts.roles import Capability
from audit.trail import Origin
from content import services
from content.models import FollowUp, FollowUpKind
from core.pagination import paginate

from . import postcheck


class CloseForm(forms.Form):
    use_required_attribute = False  # no red box before anything is typed

    note = forms.CharField(
        label=gettext_lazy("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("E.g. the agency corrected the caption on TikTok; the video was taken down."),
    )


def _lines(follow_up: FollowUp) -> list[str]:
    """What was found, in the reader's language."""
    if follow_up.kind == FollowUpKind.POST_DIFFERS:
        return [postcheck.Difference(**difference).message for difference in follow_up.details]
    if follow_up.kind == FollowUpKind.POSTED_WITHOUT_APPROVAL:
        return [
            _("Video %(id)s is on @%(handle)s, but no approved brief records it.")
            % {"id": follow_up.tiktok_video_id, "handle": follow_up.channel.handle if follow_up.channel else "?"}
        ]
    return [
        _("The rights of %(name)s, on screen in this video, end on %(day)s.")
        % {"name": detail.get("name", ""), "day": detail.get("rights_end", "")}
        for detail in follow_up.details
    ]


SHOW = {"open": {"done_at__isnull": True}, "done": {"done_at__isnull": False}}


@capability_required(Capability.CHECK_BRIEFS)
def follow_up_list(request):
    show = request.GET.get("show", "open")
    follow_ups = FollowUp.objects.visible_to(request.membership).filter(**SHOW.get(show, {}))
    follow_ups = follow_ups.select_related("brief", "channel", "done_by").order_by("done_at", "due_at", "pk")
    page = paginate(request, follow_ups)
    rows = [(follow_up, _lines(follow_up)) for follow_up in page]
    return render(
        request,
        "stats/follow_up_list.html",
        {
            "page": page,
            "rows": rows,
            "now": timezone.now(),
            "show": show if show in SHOW else "",
            "shows": [("open", _("Open")), ("done", _("Done")), ("all", _("All"))],
        },
    )


@capability_required(Capability.CHECK_BRIEFS)
def follow_up_detail(request, pk):
    follow_up = get_object_or_404(
        FollowUp.objects.visible_to(request.membership).select_related("brief", "channel", "posting", "done_by"), pk=pk
    )
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_close(
                actor=request.user,
                follow_up=follow_up,
                note=form.cleaned_data["note"],
                now=timezone.now(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The follow-up is closed."))
            return redirect("follow_up_list")
    return render(
        request,
        "stats/follow_up_detail.html",
        {"follow_up": follow_up, "lines": _lines(follow_up), "form": form, "now": timezone.now()},
        status=400 if form.errors else 200,
    )

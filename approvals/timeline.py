"""A brief's timeline, read from its audit events, with a translatable label per action."""

from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

ACTION_LABELS = {
    "brief.created": _("Brief drafted"),
    "brief.updated": _("Brief edited"),
    "brief.submit": _("Submitted to team social"),
    "brief.return": _("Returned to the adviser"),
    "brief.send": _("Sent to the agency"),
    "brief.cancel": _("Brief cancelled"),
    "brief.script_approved": _("Script approved: production may start"),
    "brief.video_approved": _("Video approved: ready to post"),
    "brief.posted": _("Posted on TikTok"),
    "script.delivered": _("Script version delivered"),
    "video.delivered": _("Video version delivered"),
    "approval.started": _("Review started"),
    "approval.cancelled": _("Review replaced by a newer version"),
    "decision.approve": _("Approved"),
    "decision.request_changes": _("Changes requested"),
    "decision.reject": _("Rejected"),
    "comment.added": _("Comment added"),
    "webcare.created": _("Webcare task created"),
    "webcare.updated": _("Webcare task updated"),
    "focus_group.recorded": _("Focus-group test recorded"),
}


def label_for(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def timeline_for(brief):
    events = AuditEvent.objects.filter(brief=brief).select_related("actor").order_by("sequence")
    return [(event, label_for(event.action)) for event in events]

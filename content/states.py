"""The brief's state machine, in one place.

    draft ──submit──▶ submitted ──send──▶ sent_to_agency ──script approved──▶ in_production
      ▲                  │                                                          │
      └─────return───────┘                                              video approved
                                                                     reopen ▲       ▼
                         cancelled ◀──cancel── (any open state)      ready_to_post ──post──▶ posted

A transition is a conditional UPDATE (``WHERE status IN (expected)``): if someone else moved the brief
first, nothing changes and the caller gets a clear refusal instead of overwriting their change.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Brief, BriefStatus

S = BriefStatus


class BriefAction(models.TextChoices):
    SUBMIT = "submit", _("Submit to team social")
    RETURN = "return", _("Return to the adviser")
    SEND = "send", _("Send to the agency")
    SCRIPT_APPROVED = "script_approved", _("Script approved")
    VIDEO_APPROVED = "video_approved", _("Video approved")
    REOPEN = "reopen", _("Change what goes out: a new video version")
    POST = "post", _("Mark as posted")
    CANCEL = "cancel", _("Cancel")


OPEN_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.SENT_TO_AGENCY, S.IN_PRODUCTION, S.READY_TO_POST})

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    BriefAction.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    BriefAction.RETURN: (frozenset({S.SUBMITTED}), S.DRAFT),
    BriefAction.SEND: (frozenset({S.SUBMITTED}), S.SENT_TO_AGENCY),
    BriefAction.SCRIPT_APPROVED: (frozenset({S.SENT_TO_AGENCY}), S.IN_PRODUCTION),
    BriefAction.VIDEO_APPROVED: (frozenset({S.IN_PRODUCTION}), S.READY_TO_POST),
    # A new version after the approval (a changed caption, say) is reviewed again before it may go out.
    BriefAction.REOPEN: (frozenset({S.READY_TO_POST}), S.IN_PRODUCTION),
    BriefAction.POST: (frozenset({S.READY_TO_POST}), S.POSTED),
    BriefAction.CANCEL: (OPEN_STATES, S.CANCELLED),
}


class InvalidTransition(Exception):
    def __init__(self, brief: Brief, action: str):
        self.brief = brief
        self.action = action
        super().__init__(
            _("“%(action)s” is not possible now: the brief is “%(status)s”. Reload the page to see its state.")
            % {"action": BriefAction(action).label, "status": BriefStatus(brief.status).label}
        )


def apply(brief: Brief, action: str) -> Brief:
    """Move ``brief`` along ``action`` if it is still in a state that allows it."""
    expected, target = TRANSITIONS[action]
    changed = Brief.objects.filter(pk=brief.pk, status__in=expected).update(status=target, updated_at=timezone.now())
    if changed != 1:
        brief.refresh_from_db(fields=["status"])
        raise InvalidTransition(brief, action)
    brief.status = target
    return brief

"""What results add to the brief page (``brief_panels``): how the live post compares with its approval."""

from django.db.models import F
from django.utils.translation import gettext as _

from accounts import access
from accounts.roles import Capability
from content.models import FollowUp, FollowUpKind
from core.hooks import Panel

from . import postcheck
from .models import CheckOutcome, PostCheck


def post_check_panel(request, brief, membership, forms) -> Panel | None:
    posting = getattr(brief, "posting", None) if brief.is_posted else None
    if posting is None:
        return None
    check = PostCheck.objects.filter(posting=posting).order_by("-checked_at", "-pk").first()
    differences = [postcheck.Difference(**difference) for difference in check.differences] if check else []
    # The open follow-up, else the last one closed (and what was done about it).
    follow_up = (
        FollowUp.objects.filter(kind=FollowUpKind.POST_DIFFERS, posting=posting)
        .order_by(F("done_at").desc(nulls_first=True), "-pk")
        .first()
    )
    return Panel(
        "stats/panels/post_check.html",
        "actions" if check is not None and check.outcome == CheckOutcome.DIFFERS else "after_brief",
        {
            "check": check,
            "differences": differences,
            "follow_up": follow_up,
            "can_follow_up": access.has_capability(membership, Capability.CHECK_BRIEFS),
            "waiting": check is None,
            "failed_reason": _("TikTok could not be asked; it is tried again every hour.")
            if check is not None and check.outcome == CheckOutcome.FAILED
            else "",
        },
    )

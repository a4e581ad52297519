"""What results add to the brief page (``brief_panels``): how the live post compares with its approval."""

from django.utils.translation import gettext as _

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
    follow_up = FollowUp.objects.filter(kind=FollowUpKind.POST_DIFFERS, posting=posting, done_at=None).first()
    return Panel(
        "stats/panels/post_check.html",
        "actions" if check is not None and check.outcome == CheckOutcome.DIFFERS else "after_brief",
        {
            "check": check,
            "differences": differences,
            "follow_up": follow_up,
            "waiting": check is None,
            "failed_reason": _("TikTok could not be asked; it is tried again every hour.")
            if check is not None and check.outcome == CheckOutcome.FAILED
            else "",
        },
    )

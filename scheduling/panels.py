"""What the calendar adds to the brief page (``brief_panels``): the hand-off package of the approved video, at the
top while it waits to be posted (the agency's next step), lower down once it is posted."""

from content.models import BriefStatus
from core.hooks import Panel

from . import handoff
from .models import Slot


def handoff_panel(request, brief, membership, forms) -> Panel | None:
    video = handoff.approved_version(brief)
    if video is None:
        return None
    slot = Slot.objects.filter(brief=brief).first()
    place = "actions" if brief.status == BriefStatus.READY_TO_POST else "after_brief"
    return Panel(
        "scheduling/panels/handoff.html",
        place,
        {"video": video, "slot": slot, "zone": brief.organisation.zone, "waiting": place == "actions"},
    )

"""What a disclosure request holds: the briefs gathered for a request still being handled may not be destroyed
(an archive's destruction list asks here before anything is removed)."""

from __future__ import annotations

from .models import DisclosureRequest


def held_brief_ids(organisation_id: int) -> set[int]:
    """The briefs of the organisation's open requests."""
    return set(
        DisclosureRequest.objects.open()
        .filter(organisation_id=organisation_id)
        .values_list("briefs", flat=True)
        .exclude(briefs=None)
    )


def holding_requests(organisation_id: int, brief_ids) -> list[DisclosureRequest]:
    """The open requests that hold any of ``brief_ids``, oldest first (to name them in a refusal)."""
    return list(
        DisclosureRequest.objects.open()
        .filter(organisation_id=organisation_id, briefs__in=list(brief_ids))
        .distinct()
        .order_by("received_on", "pk")
    )

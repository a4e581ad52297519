"""When a brief is to be posted, for pages and mails of content and approvals: the posting calendar sits above
them (``scheduling``), so it answers through the ``planned_postings`` hook (brief ids in, their slots' starts
out) and the ``brief_posted`` / ``video_approved`` hooks hear of the hand-overs it follows."""

from __future__ import annotations

from datetime import datetime

from core import hooks


def planned_postings(brief_ids) -> dict[int, datetime]:
    """The start of each brief's slot (UTC), for those that have one."""
    ids = list(brief_ids)
    found: dict[int, datetime] = {}
    if ids:
        for hook in hooks.get("planned_postings"):
            found.update(hook(ids))
    return found


def planned_posting(brief) -> datetime | None:
    return planned_postings([brief.pk]).get(brief.pk)


def tell(hook_name: str, **about) -> None:
    """Let the apps above act on a hand-over (in the caller's transaction)."""
    for hook in hooks.get(hook_name):
        hook(**about)

"""Where the ball is for each brief: its status, unless an app above knows better (approvals: a version in
review, at which step). Content doesn't import approvals; approvals answers through the ``brief_whereabouts``
hook (brief ids in, labels out) and ``briefs_in_review`` (a queryset of the brief ids with a version in review)."""

from __future__ import annotations

from core import hooks


def where(briefs) -> dict[int, str]:
    briefs = list(briefs)
    found: dict[int, str] = {}
    if briefs:
        for hook in hooks.get("brief_whereabouts"):
            found.update(hook([brief.pk for brief in briefs]))
    return {brief.pk: found.get(brief.pk) or brief.get_status_display() for brief in briefs}


def in_review(briefs):
    """``briefs`` narrowed to those with a version in review (none without an app that reviews)."""
    for hook in hooks.get("briefs_in_review"):
        return briefs.filter(pk__in=hook())
    return briefs.none()

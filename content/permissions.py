"""What a user may see and do with briefs: the one place views, templates and lists ask.

Seeing: organisation staff with VIEW_BRIEFS see their organisation's briefs; an agency member sees
only briefs addressed to their own agency, and only once team social has sent them (a draft is the
organisation's own business). Everything else is not found (404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import active_memberships, capabilities, membership_in
from accounts.roles import Capability, Role

from . import states
from .models import Brief, BriefStatus

HIDDEN_FROM_AGENCY = (BriefStatus.DRAFT, BriefStatus.SUBMITTED)


class Act:
    """Names of the actions ``brief_actions`` may return (used in views and templates)."""

    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    SEND = "send"
    CANCEL = "cancel"
    ADD_SCRIPT = "add_script"
    ADD_VIDEO = "add_video"
    POST = "post"
    COMMENT = "comment"
    FOCUS_GROUP = "focus_group"
    ATTACH = "attach"
    DISCLOSE = "disclose"


def visibility_filter(user) -> Q:
    condition = Q(pk__in=[])
    for membership in active_memberships(user):
        caps = capabilities(membership)
        if Capability.VIEW_BRIEFS not in caps:
            continue
        if membership.role == Role.AGENCY_MEMBER:
            condition |= Q(organisation_id=membership.organisation_id, agency_id=membership.agency_id) & ~Q(
                status__in=HIDDEN_FROM_AGENCY
            )
        else:
            condition |= Q(organisation_id=membership.organisation_id)
    return condition


def briefs_visible_to(user) -> QuerySet[Brief]:
    if not user.is_authenticated:
        return Brief.objects.none()
    return Brief.objects.filter(visibility_filter(user))


def get_brief_for_user(user, pk: int) -> Brief:
    return get_object_or_404(
        briefs_visible_to(user).select_related("organisation", "channel", "agency", "topic", "created_by"), pk=pk
    )


_UNKNOWN = object()


def brief_actions(user, brief: Brief, membership=_UNKNOWN) -> frozenset[str]:
    """The actions ``user`` may take on ``brief`` now (assumes the brief is visible to them).

    Pass the user's ``membership`` in the brief's organisation when you have it (lists), to save a query.
    """
    if membership is _UNKNOWN:
        membership = membership_in(user, brief.organisation_id)
    caps = capabilities(membership)
    is_agency = membership is not None and membership.role == Role.AGENCY_MEMBER
    own_agency = is_agency and membership.agency_id == brief.agency_id
    author = brief.created_by_id == user.pk
    acts = set()
    if Capability.DRAFT_BRIEFS in caps:
        if brief.status == BriefStatus.DRAFT and (author or Capability.CHECK_BRIEFS in caps):
            acts |= {Act.EDIT, Act.SUBMIT}
        if brief.status in states.OPEN_STATES and (author or Capability.CHECK_BRIEFS in caps):
            acts.add(Act.CANCEL)
        if brief.status in states.OPEN_STATES:
            acts |= {Act.FOCUS_GROUP, Act.ATTACH}
    if Capability.CHECK_BRIEFS in caps and brief.status == BriefStatus.SUBMITTED:
        acts |= {Act.RETURN, Act.SEND}
    if own_agency and Capability.PRODUCE_CONTENT in caps:
        if brief.status == BriefStatus.SENT_TO_AGENCY:
            acts.add(Act.ADD_SCRIPT)
        elif brief.status == BriefStatus.IN_PRODUCTION:
            acts.add(Act.ADD_VIDEO)
        elif brief.status == BriefStatus.READY_TO_POST:
            acts.add(Act.POST)
    writes = Capability.REVIEW_CONTENT in caps or Capability.DRAFT_BRIEFS in caps or own_agency
    if writes and brief.status != BriefStatus.CANCELLED:
        acts.add(Act.COMMENT)
    if Capability.DISCLOSE in caps:
        acts.add(Act.DISCLOSE)
    return frozenset(acts)


def require_act(actor, brief: Brief, act: str) -> None:
    """Refuse (PermissionDenied) unless ``actor`` may take ``act`` on ``brief`` now: every brief service
    starts here, so a task or a command can't do what the person could not."""
    if act not in brief_actions(actor, brief):
        raise PermissionDenied(_("You may not do this with this brief now."))

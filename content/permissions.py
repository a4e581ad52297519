"""What a person may do with a brief now (``brief_actions``, ``require_act``): the capabilities of their role
plus the brief's state and agency. What they may see is ``Brief.objects.visible_to`` (content.models)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import capabilities, membership_in
from accounts.roles import Capability, Role

from . import states
from .models import Brief, BriefStatus


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


def get_brief_for_user(user, pk: int) -> Brief:
    """The brief, if any of the user's memberships may see it (a link from a mail may be to another of
    their organisations than the one open now); else 404."""
    briefs = Brief.objects.visible_to_user(user)
    return get_object_or_404(briefs.select_related("organisation", "channel", "agency", "topic", "created_by"), pk=pk)


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
            acts |= {Act.POST, Act.ADD_VIDEO}
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


def sees_roles_not_names(membership) -> bool:
    """Agency members read role labels ("Team social") instead of civil servants' names: they may not see the
    organisation's people."""
    return membership is not None and Capability.VIEW_PEOPLE not in capabilities(membership)

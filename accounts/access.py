"""Who may do what: the one place that answers it, from the role → capability table in ``roles``.

Services guard themselves with ``require`` (a person's capability in an organisation); what a person may
see is each model's ``visible_to`` (``accounts.scoping``); rules that depend on a brief's state build on
these in ``content.permissions`` and ``approvals.rules``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Membership, Organisation
from .roles import ROLE_CAPABILITIES, Capability

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def active_memberships(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """The user's active memberships, with organisation and agency loaded."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation", "agency")
        .order_by("organisation__name")
    )


def capabilities(membership: Membership | None) -> frozenset[str]:
    if membership is None or not membership.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(membership.role, frozenset())


def has_capability(membership: Membership | None, capability: Capability) -> bool:
    return capability in capabilities(membership)


def require(membership: Membership | None, capability: Capability) -> Membership:
    """The guard at the top of every write service: refuse (PermissionDenied) unless ``membership`` is active
    and its role grants ``capability``. Returns the membership, for the service's audit event."""
    if not has_capability(membership, capability):
        raise PermissionDenied(_("Your role may not do this here."))
    return membership


def require_in(actor, organisation: Organisation | int, capability: Capability) -> Membership:
    """``require`` for ``actor``'s membership in ``organisation``."""
    return require(membership_in(actor, organisation), capability)


def membership_in(user, organisation: Organisation | int) -> Membership | None:
    organisation_id = getattr(organisation, "pk", organisation)
    return active_memberships(user).filter(organisation_id=organisation_id).first()


def can(user, capability: Capability, organisation: Organisation | int) -> bool:
    """May ``user`` do ``capability`` in ``organisation``?"""
    return has_capability(membership_in(user, organisation), capability)


def organisations_for(user, capability: Capability = Capability.VIEW_ORGANISATION) -> QuerySet[Organisation]:
    """The organisations in which the user holds a role that grants ``capability``."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    ids = active_memberships(user).filter(role__in=roles).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids)


def colleagues_for(user, organisation: Organisation) -> QuerySet[Membership]:
    """Members of ``organisation`` the user may see by name (agency members see none)."""
    if not can(user, Capability.VIEW_PEOPLE, organisation):
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation=organisation, is_active=True)
        .select_related("user", "agency")
        .order_by("role", "user__last_name", "user__first_name")
    )


def is_organisation_admin_anywhere(user, memberships=None) -> bool:
    """Does the user manage at least one organisation? ``memberships``: the request's, already loaded by
    the middleware, so the admin's many permission checks cost no query each."""
    if not user.is_active:
        return False
    if memberships is None:
        memberships = active_memberships(user)
    return user.is_superuser or any(has_capability(m, Capability.MANAGE_ORGANISATION) for m in memberships)


def administered_organisations(user) -> QuerySet[Organisation]:
    """Organisations whose people and channels the user manages (all of them for a superuser)."""
    if user.is_active and user.is_superuser:
        return Organisation.objects.all()
    return organisations_for(user, Capability.MANAGE_ORGANISATION)


def may_administer_user(admin_user, person) -> bool:
    """May ``admin_user`` change ``person``'s account (name, password, active)?

    Only when every organisation the person belongs to is one the admin manages: an account shared
    with another organisation is that organisation's business too (its admin could otherwise take it
    over by setting a password). Memberships in the admin's own organisations stay manageable.
    """
    if not admin_user.is_active:
        return False
    if admin_user.is_superuser:
        return True
    if person.is_superuser:
        return False
    administered = set(administered_organisations(admin_user).values_list("pk", flat=True))
    if not administered:
        return False
    theirs = set(Membership.objects.filter(user=person).values_list("organisation_id", flat=True))
    return bool(theirs) and theirs <= administered


def people_with(organisation: Organisation | int, capability: Capability):
    """Active people of ``organisation`` whose role grants ``capability`` (who is told of a hand-over)."""
    from django.contrib.auth import get_user_model

    roles = [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]
    members = Membership.objects.filter(organisation=organisation, role__in=roles, is_active=True).values("user_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by("pk")


def people_with_role(organisation: Organisation, role: str):
    """Active people holding ``role`` in ``organisation`` (for choosing an owner or an assignee)."""
    from django.contrib.auth import get_user_model

    members = Membership.objects.filter(organisation=organisation, role=role, is_active=True).values("user_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by("first_name", "last_name")

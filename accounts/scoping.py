"""One way to scope: every model a person may only partly see has a queryset with ``visible_to``.

    Slot.objects.visible_to(request.membership)      # what this membership may see
    Brief.objects.visible_to_user(request.user)      # what any of the user's memberships may see

Each model says once, in ``visibility(membership)``, which of its rows a membership may see (NetBox's
``RestrictedQuerySet.restrict()`` idea). Views look objects up through it, so another organisation's or
agency's object is simply not found: a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

NOTHING = Q(pk__in=[])


def grants(membership, capability) -> bool:
    """Does the membership's role grant ``capability``? (``access.has_capability``, for use in models.)"""
    from .roles import ROLE_CAPABILITIES

    return membership is not None and membership.is_active and capability in ROLE_CAPABILITIES.get(membership.role, ())


class ScopedQuerySet(models.QuerySet):
    def visibility(self, membership) -> Q:
        """The rows ``membership`` may see, as a condition; nothing for no (or an inactive) membership."""
        raise NotImplementedError(f"{self.model.__name__} says which rows a membership may see")

    def visible_to(self, membership):
        if membership is None or not membership.is_active:
            return self.none()
        return self.filter(self.visibility(membership))

    def visible_to_user(self, user):
        from .access import active_memberships

        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = NOTHING
        for membership in active_memberships(user):
            condition |= self.visibility(membership)
        return self.filter(condition)

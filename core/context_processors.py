"""Navigation: only what the current role may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.roles import Capability


def _item(view_name, label, view_names):
    return {"url": reverse(view_name), "label": label, "view_names": view_names}


def navigation(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        items.append(_item("home", _("Home"), {"home"}))
        if access.has_capability(membership, Capability.VIEW_ORGANISATION):
            items.append(_item("organisation_detail", _("Organisation"), {"organisation_detail", "channel_detail"}))
        if access.is_organisation_admin_anywhere(user):
            items.append(_item("admin:index", _("Administration"), set()))
        items.append(
            _item("account_settings", _("My account"), {"account_settings", "password_change", "password_change_done"})
        )
        match = getattr(request, "resolver_match", None)
        for item in items:
            item["current"] = bool(match) and match.view_name in item.pop("view_names")
    return {
        "nav_items": items,
        "current_membership": membership,
        "current_organisation": getattr(request, "organisation", None),
        "user_memberships": getattr(request, "memberships", []),
    }

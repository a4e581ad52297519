"""Navigation: only what the current role may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access, second_factor
from accounts.roles import Capability


def _item(view_name, label, view_names):
    return {"url": reverse(view_name), "label": label, "view_names": view_names}


def navigation(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    items = []
    # Until the second step is done nothing else opens, so the menu isn't shown either.
    second_step_pending = (
        user is not None
        and user.is_authenticated
        and hasattr(user, "is_verified")
        and not user.is_verified()
        and second_factor.required_for(user)
    )
    if user is not None and user.is_authenticated and not second_step_pending:
        items.append(_item("home", _("Home"), {"home"}))
        if membership is not None:
            items.append(_item("inbox", _("Inbox"), {"inbox"}))
        if access.has_capability(membership, Capability.VIEW_BRIEFS):
            brief_views = {"brief_list", "brief_create", "brief_detail", "brief_edit", "script_create"}
            brief_views |= {"video_create", "posting_create", "focus_group_create", "decide", "comment_create"}
            items.append(_item("brief_list", _("Briefs"), brief_views))
            items.append(_item("topic_list", _("Topics"), {"topic_list"}))
        if access.has_capability(membership, Capability.VIEW_CALENDAR):
            calendar_views = {"calendar_month", "calendar_week", "calendar_agenda", "slot_detail", "slot_create"}
            calendar_views |= {"cadence_edit", "feed_manage", "slot_action"}
            items.append(_item("calendar_month", _("Calendar"), calendar_views))
        if access.has_capability(membership, Capability.VIEW_RESULTS):
            items.append(_item("stats_overview", _("Results"), {"stats_overview", "stats_channel"}))
        if access.has_capability(membership, Capability.VIEW_BUDGET):
            budget_views = {"budget_dashboard", "budget_period_create", "budget_period_edit", "budget_costs"}
            items.append(_item("budget_dashboard", _("Budget"), budget_views | {"budget_allocations"}))
        if access.has_capability(membership, Capability.PRODUCE_CONTENT):
            items.append(_item("creator_list", _("Creators"), {"creator_list"}))
            items.append(_item("budget_agency_costs", _("Our costs"), {"budget_agency_costs"}))
        if access.has_capability(membership, Capability.CHECK_BRIEFS):
            items.append(_item("webcare_list", _("Webcare"), {"webcare_list", "webcare_edit"}))
        if access.has_capability(membership, Capability.DISCLOSE):
            items.append(_item("period_disclosure", _("Disclosure"), {"period_disclosure"}))
        if access.has_capability(membership, Capability.VIEW_ORGANISATION):
            items.append(_item("organisation_detail", _("Organisation"), {"organisation_detail", "channel_detail"}))
        if access.is_organisation_admin_anywhere(user, getattr(request, "memberships", None)):
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

"""Navigation: only what the current role may use, and how much waits in the inbox."""

import threading
import time
from collections import OrderedDict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access, second_factor
from accounts.roles import Capability
from approvals import inbox
from audit import trail

INBOX_COUNT_SECONDS = 300  # a webcare task's end or a reminder's day may change the list without a change of data
_counts: OrderedDict = OrderedDict()  # (membership, user, audit head) → (count, when): this process's, bounded
_COUNTS_KEPT = 2_000
_counts_lock = threading.Lock()


def inbox_count(request, membership) -> int:
    """How many items wait for the person in their inbox. Every page shows it, so it is remembered, keyed by the
    organisation's latest audit event: each hand-over (a submission, a decision, a new version, a post, a budget
    proposal) is audited, so the count is computed again after any of them, by whichever server process serves
    the next page. Kept in the process (no cache round trip on every page), for at most INBOX_COUNT_SECONDS."""
    key = (membership.pk, request.user.pk, trail.head(membership.organisation, changes_only=True))
    moment = time.monotonic()
    # The home page and the inbox have just listed the items: their count is the freshest.
    count = getattr(request, "inbox_count", None)
    if count is None:
        known = _counts.get(key)
        if known is not None and moment - known[1] < INBOX_COUNT_SECONDS:
            return known[0]
        count = len(inbox.waiting_for(request.user, membership, now=timezone.now()))
    with _counts_lock:  # a threaded server (runserver, gthread) serves pages of one process at once
        _counts[key] = (count, moment)
        _counts.move_to_end(key)
        while len(_counts) > _COUNTS_KEPT:
            _counts.popitem(last=False)
    return count


# The organisation settings' pages (administration), where its menu item is the current one.
SETTINGS_VIEWS = {
    "settings_index",
    "settings_people",
    "settings_person_add",
    "settings_person",
    "settings_person_second_factor",
    "settings_channels",
    "settings_channel_add",
    "settings_channel_edit",
    "settings_agencies",
    "settings_chains",
    "settings_chain_edit",
    "settings_mail",
    "settings_retention",
    "settings_destruction",
}


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
            items.append(_item("inbox", _("Inbox"), {"inbox"}) | {"count": inbox_count(request, membership)})
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
            disclosure_views = {
                "disclosure_requests", "disclosure_request_add", "disclosure_request", "period_disclosure",
                "disclosure_exports",
            }  # fmt: skip
            items.append(_item("disclosure_requests", _("Disclosure"), disclosure_views))
            items.append(_item("archive_packages", _("Archive"), {"archive_packages", "archive_package_make"}))
        if access.has_capability(membership, Capability.VIEW_ORGANISATION):
            items.append(_item("organisation_detail", _("Organisation"), {"organisation_detail", "channel_detail"}))
        if access.has_capability(membership, Capability.MANAGE_ORGANISATION):
            items.append(_item("settings_index", _("Organisation settings"), SETTINGS_VIEWS))
        if user.is_superuser:
            items.append(_item("admin:index", _("Administration"), set()))  # Django's admin: the operator's only
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

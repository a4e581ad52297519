"""The roles a person can hold in an organisation, and what each role may do.

This is the single table of role → capabilities. ``accounts.access`` answers questions with it;
nothing else in the code base compares role strings.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMUNICATION_ADVISER = "adviser", _("Communication adviser")
    TEAM_SOCIAL = "team_social", _("Team social")
    CAMPAIGN_MANAGER = "campaign_manager", _("Campaign manager")
    AGENCY_MEMBER = "agency", _("Agency member")
    MANAGEMENT = "management", _("Management team (MT)")
    ORGANISATION_ADMIN = "org_admin", _("Organisation admin")
    REVIEWER = "reviewer", _("Reviewer (legal, press office)")


class Capability(models.TextChoices):
    VIEW_ORGANISATION = "view_organisation", _("See the organisation and its channels")
    VIEW_PEOPLE = "view_people", _("See who works in the organisation")
    MANAGE_ORGANISATION = "manage_organisation", _("Manage people, channels and agencies")
    VIEW_BRIEFS = "view_briefs", _("See briefs, scripts and videos")
    DRAFT_BRIEFS = "draft_briefs", _("Draft briefs")
    CHECK_BRIEFS = "check_briefs", _("Check briefs and send them to the agency")
    REVIEW_CONTENT = "review_content", _("Review and approve scripts and videos")
    PRODUCE_CONTENT = "produce_content", _("Write scripts, deliver and post videos")
    VIEW_CALENDAR = "view_calendar", _("See the posting calendar")
    PLAN_CALENDAR = "plan_calendar", _("Plan the posting calendar")
    VIEW_BUDGET = "view_budget", _("See the budget dashboard")
    MANAGE_BUDGET = "manage_budget", _("Manage budget periods and cost lines")
    APPROVE_BUDGET = "approve_budget", _("Approve budget periods and overruns")
    VIEW_RESULTS = "view_results", _("See engagement results")
    DISCLOSE = "disclose", _("Export documents for a freedom-of-information request")
    CONNECT_CHANNEL = "connect_channel", _("Connect the TikTok account")
    RECORD_RESULTS = "record_results", _("Import or enter engagement figures")


_C = Capability

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COMMUNICATION_ADVISER: frozenset(
        {
            _C.VIEW_ORGANISATION,
            _C.VIEW_PEOPLE,
            _C.VIEW_BRIEFS,
            _C.DRAFT_BRIEFS,
            _C.REVIEW_CONTENT,
            _C.VIEW_CALENDAR,
            _C.VIEW_RESULTS,
        }
    ),
    Role.CAMPAIGN_MANAGER: frozenset(
        {
            _C.VIEW_ORGANISATION,
            _C.VIEW_PEOPLE,
            _C.VIEW_BRIEFS,
            _C.DRAFT_BRIEFS,
            _C.REVIEW_CONTENT,
            _C.VIEW_CALENDAR,
            _C.VIEW_BUDGET,
            _C.VIEW_RESULTS,
        }
    ),
    Role.TEAM_SOCIAL: frozenset(
        {
            _C.VIEW_ORGANISATION,
            _C.VIEW_PEOPLE,
            _C.VIEW_BRIEFS,
            _C.DRAFT_BRIEFS,
            _C.CHECK_BRIEFS,
            _C.REVIEW_CONTENT,
            _C.VIEW_CALENDAR,
            _C.PLAN_CALENDAR,
            _C.VIEW_BUDGET,
            _C.MANAGE_BUDGET,
            _C.VIEW_RESULTS,
            _C.CONNECT_CHANNEL,
            _C.RECORD_RESULTS,
            _C.DISCLOSE,
        }
    ),
    # The agency sees only what is addressed to it; it never sees the organisation's staff list
    # (names of civil servants are personal data) and never approves.
    Role.AGENCY_MEMBER: frozenset({_C.VIEW_ORGANISATION, _C.VIEW_BRIEFS, _C.PRODUCE_CONTENT, _C.VIEW_CALENDAR}),
    # The MT reads; it edits nothing.
    Role.MANAGEMENT: frozenset(
        {
            _C.VIEW_ORGANISATION,
            _C.VIEW_PEOPLE,
            _C.VIEW_BRIEFS,
            _C.VIEW_CALENDAR,
            _C.VIEW_BUDGET,
            _C.APPROVE_BUDGET,
            _C.VIEW_RESULTS,
        }
    ),
    Role.ORGANISATION_ADMIN: frozenset(
        {
            _C.VIEW_ORGANISATION,
            _C.VIEW_PEOPLE,
            _C.VIEW_BRIEFS,
            _C.MANAGE_ORGANISATION,
            _C.CONNECT_CHANNEL,
            _C.RECORD_RESULTS,
            _C.VIEW_RESULTS,
            _C.DISCLOSE,
        }
    ),
    # Named by the organisation for an extra approval step, e.g. on sensitive topics.
    Role.REVIEWER: frozenset({_C.VIEW_ORGANISATION, _C.VIEW_PEOPLE, _C.VIEW_BRIEFS, _C.REVIEW_CONTENT}),
}

# What a role's home page offers first, in the role's own words.
ROLE_SUMMARIES = {
    Role.COMMUNICATION_ADVISER: _(
        "You pick topics and key messages, draft briefs for the agency and review scripts and videos on your themes."
    ),
    Role.CAMPAIGN_MANAGER: _(
        "You run campaigns with their own budget: draft briefs, review scripts and videos and follow "
        "spending and results."
    ),
    Role.TEAM_SOCIAL: _(
        "You run the channel: check briefs, approve scripts and videos, keep the posting calendar, follow "
        "the budget and do webcare under posted videos."
    ),
    Role.AGENCY_MEMBER: _(
        "You pick creators, write scripts for the briefs sent to your agency, deliver video versions and "
        "post approved videos."
    ),
    Role.MANAGEMENT: _(
        "You follow the budget and the results of the channel and approve budget periods and overruns. Apart from "
        "that you read everything here and change nothing."
    ),
    Role.ORGANISATION_ADMIN: _(
        "You manage who works here and in which role, the organisation's TikTok channels and the agencies "
        "it works with."
    ),
    Role.REVIEWER: _(
        "You check scripts and videos in the extra approval step your organisation has named you for, "
        "for example on sensitive topics."
    ),
}

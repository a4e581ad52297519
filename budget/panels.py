"""What budget adds to pages of the apps below it, for those who may see budgets: the brief page (the
post's plan and costs so far; ``brief_panels``), and the results (the budget's use per period,
``results_panels``; the running budget period as the default period, ``results_period``), and the inbox (the
periods that wait for the MT's approval, ``inbox_items``)."""

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access
from accounts.roles import Capability
from approvals.inbox import Item
from core.hooks import Panel

from .models import BudgetPeriod, PeriodStatus
from .selectors import brief_budget, period_figures


def brief_budget_panel(request, brief, membership, forms) -> Panel | None:
    if not access.has_capability(membership, Capability.VIEW_BUDGET):
        return None
    budget = brief_budget(brief)
    if budget is None:
        return None
    return Panel("budget/panels/brief.html", "after_brief", {"budget": budget})


def _periods_of(channel):
    """The budget periods of this channel or of its whole organisation."""
    return BudgetPeriod.objects.filter(Q(channel=channel) | Q(channel__isnull=True), organisation=channel.organisation)


def results_budget_panel(channel, start, end, membership) -> Panel | None:
    if not access.has_capability(membership, Capability.VIEW_BUDGET):
        return None
    periods = _periods_of(channel)
    if start:
        periods = periods.filter(ends_on__gte=start)
    if end:
        periods = periods.filter(starts_on__lte=end)
    # All periods' figures in a fixed number of queries: the years the results cover hold many periods.
    rows = period_figures(periods.order_by("starts_on"))
    return Panel("budget/panels/results.html", "results", {"budget": rows}) if rows else None


def running_period(channel, today):
    """The budget period running ``today`` (the channel's own before one for the whole organisation; a closed
    one too), up to today, as (start, end, period)."""
    running = (
        _periods_of(channel)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .order_by(F("channel").asc(nulls_last=True), "-starts_on")
        .first()
    )
    return (running.starts_on, today, running) if running is not None else None


def periods_to_approve(user, membership, *, now):
    """Inbox items for the people who approve budgets (the MT): every proposed period of the organisation."""
    if not access.has_capability(membership, Capability.APPROVE_BUDGET):
        return []
    periods = BudgetPeriod.objects.visible_to(membership).filter(status=PeriodStatus.PROPOSED).order_by("starts_on")
    return [
        Item(
            None,
            _("Approve the budget period"),
            None,
            heading=_("Budget period %(name)s") % {"name": period.name},
            link=reverse("budget_dashboard") + f"?period={period.pk}",
        )
        for period in periods
    ]

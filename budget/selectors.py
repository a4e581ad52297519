"""Dashboard figures for a budget period, computed in a fixed number of queries.

Every total is a sum of rounded line amounts (VAT per line), so the dashboard, the brief page and the
exports show the same numbers to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from content.models import BriefStatus
from core.templatetags.planner import money
from stats.selectors import reach_of_briefs

from .models import COMMITTED, BudgetPeriod, CostLine, CostStatus, PostAllocation
from .money import CENT, vat_on

ZERO = Decimal("0.00")
INVOICED = (CostStatus.INVOICED, CostStatus.PAID)


@dataclass
class Pair:
    """An amount excluding and including VAT."""

    excl: Decimal = ZERO
    vat: Decimal = ZERO

    @property
    def incl(self) -> Decimal:
        return self.excl + self.vat


@dataclass
class Figures:
    period: BudgetPeriod
    amount: Pair
    planned: Pair
    committed: Pair
    invoiced: Pair
    paid: Pair
    remaining: Pair
    delivered_posts: int
    cost_per_post: Decimal | None
    forecast: Decimal | None
    by_topic: list = field(default_factory=list)
    by_agency: list = field(default_factory=list)
    by_month: list = field(default_factory=list)
    posts_over_plan: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    views: int = 0
    engagements: int = 0
    cost_per_thousand_views: Decimal | None = None
    cost_per_engagement: Decimal | None = None


def cents(value) -> Decimal:
    """A database sum as an exact amount in cents (SQLite returns sums with float noise)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _pair(rows, statuses) -> Pair:
    excl = sum((cents(r["excl"]) for r in rows if r["status"] in statuses), ZERO)
    vat = sum((cents(r["vat"]) for r in rows if r["status"] in statuses), ZERO)
    return Pair(excl, vat)


def figures(period: BudgetPeriod) -> Figures:
    lines = CostLine.objects.filter(period=period)
    by_status = list(lines.values("status").annotate(excl=Sum("amount_excl_vat"), vat=Sum("vat_amount")))
    committed = _pair(by_status, COMMITTED)
    amount = Pair(period.amount_excl_vat, vat_on(period.amount_excl_vat, period.vat_rate))
    remaining_excl = period.amount_excl_vat - committed.excl
    remaining = Pair(remaining_excl, amount.vat - committed.vat)
    # Posts delivered under this budget: posted briefs with committed costs in this period.
    delivered = lines.filter(status__in=COMMITTED, brief__status=BriefStatus.POSTED).values("brief").distinct().count()
    post_costs = lines.filter(status__in=COMMITTED, brief__isnull=False)
    delivered_cost = post_costs.filter(brief__status=BriefStatus.POSTED).aggregate(total=Sum("amount_excl_vat"))
    delivered_spent = cents(delivered_cost["total"])
    cost_per_post = forecast = None
    if delivered:
        cost_per_post = (delivered_spent / delivered).quantize(CENT, rounding=ROUND_HALF_UP)
        overhead = lines.filter(status__in=COMMITTED, brief__isnull=True).aggregate(total=Sum("amount_excl_vat"))
        forecast = (cost_per_post * period.planned_posts + cents(overhead["total"])).quantize(CENT)
    result = Figures(
        period=period,
        amount=amount,
        planned=_pair(by_status, (CostStatus.PLANNED,)),
        committed=committed,
        invoiced=_pair(by_status, INVOICED),
        paid=_pair(by_status, (CostStatus.PAID,)),
        remaining=remaining,
        delivered_posts=delivered,
        cost_per_post=cost_per_post,
        forecast=forecast,
    )
    result.by_topic = [
        row | {"excl": cents(row["excl"])}
        for row in post_costs.values("brief__topic__name")
        .annotate(excl=Sum("amount_excl_vat"), posts=Count("brief", distinct=True))
        .order_by("-excl", "brief__topic__name")
    ]
    result.by_agency = [
        row | {"excl": cents(row["excl"])}
        for row in lines.filter(status__in=COMMITTED)
        .values("agency__name", "supplier")
        .annotate(excl=Sum("amount_excl_vat"))
        .order_by("-excl", "supplier")
    ]
    _value_for_money(result, post_costs, delivered_spent)
    result.by_month = _by_month(period, lines)
    result.posts_over_plan = _posts_over_plan(period)
    result.warnings = _warnings(result)
    return result


def _value_for_money(result: Figures, post_costs, spent: Decimal) -> None:
    """Cost per 1,000 views and per engagement (likes + comments + shares), over the posted videos this
    period paid for, each counted at its latest snapshot."""
    reach = reach_of_briefs(post_costs.filter(brief__status=BriefStatus.POSTED).values("brief"))
    result.views, result.engagements = reach["views"], reach["engagements"]
    if result.views:
        result.cost_per_thousand_views = (spent * 1000 / result.views).quantize(CENT, rounding=ROUND_HALF_UP)
    if result.engagements:
        result.cost_per_engagement = (spent / result.engagements).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _by_month(period: BudgetPeriod, lines) -> list[dict]:
    """Cumulative committed spend per month against a straight line from 0 to the amount."""
    committed = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: cents(row["excl"])
        for row in lines.filter(status__in=COMMITTED)
        .annotate(month=TruncMonth("invoice_date"))
        .values("month")
        .annotate(excl=Sum("amount_excl_vat"))
        if row["month"] is not None
    }
    undated = lines.filter(status__in=COMMITTED, invoice_date__isnull=True).aggregate(total=Sum("amount_excl_vat"))
    months = []
    current = date(period.starts_on.year, period.starts_on.month, 1)
    while current <= period.ends_on:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    series, running = [], ZERO
    for index, month in enumerate(months, start=1):
        running += committed.get(month, ZERO)
        plan = (period.amount_excl_vat * index / len(months)).quantize(CENT, rounding=ROUND_HALF_UP)
        series.append({"month": month, "spent": running, "plan": plan})
    if series and undated["total"]:
        # Committed but not invoiced yet: counted in the latest month so the total stays right.
        series[-1]["spent"] += cents(undated["total"])
    return series


def _posts_over_plan(period: BudgetPeriod) -> list[dict]:
    costs = {
        brief_id: cents(total)
        for brief_id, total in CostLine.objects.filter(period=period, status__in=COMMITTED, brief__isnull=False)
        .values_list("brief")
        .annotate(total=Sum("amount_excl_vat"))
    }
    over = []
    for allocation in PostAllocation.objects.filter(period=period, brief__isnull=False).select_related("brief"):
        spent = costs.get(allocation.brief_id, ZERO)
        if spent > allocation.amount:
            over.append({"brief": allocation.brief, "plan": allocation.amount, "spent": spent})
    return over


def _warnings(f: Figures) -> list[str]:
    warnings = []
    if f.committed.excl > f.amount.excl:
        warnings.append(_("The committed costs exceed the period's amount."))
    if f.forecast is not None and f.forecast > f.amount.excl:
        warnings.append(
            _("At the current cost per post, the %(posts)s planned posts will cost %(forecast)s: over budget.")
            % {"posts": f.period.planned_posts, "forecast": money(f.forecast, f.period.currency)}
        )
    for row in f.posts_over_plan:
        warnings.append(_("“%(title)s” costs more than its plan.") % {"title": row["brief"].title})
    return warnings


def brief_budget(brief) -> dict | None:
    """The plan and the committed costs of one brief, with a warning if it is over its plan (brief page)."""
    allocation = PostAllocation.objects.filter(brief=brief).select_related("period").first()
    lines = CostLine.objects.filter(brief=brief)
    totals = lines.filter(status__in=COMMITTED).aggregate(excl=Sum("amount_excl_vat"), vat=Sum("vat_amount"))
    period = allocation.period if allocation else BudgetPeriod.objects.filter(cost_lines__brief=brief).first()
    if period is None:
        return None
    spent = cents(totals["excl"])
    return {
        "allocation": allocation,
        "spent": spent,
        "spent_vat": cents(totals["vat"]),
        "over": allocation is not None and spent > allocation.amount,
        "currency": period.currency,
    }

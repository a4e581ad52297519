"""Dashboard figures for a budget period, computed in a fixed number of queries.

Every total is a sum of rounded line amounts (VAT per line), so the dashboard, the brief page and the
exports show the same numbers to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from content.models import BriefStatus
from core.templatetags.planner import money

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
    """Everything the dashboard and the exports show for one period. A fixed number of queries."""
    result = period_figures([period])[0]
    lines = CostLine.objects.filter(period=period)
    post_costs = lines.filter(status__in=COMMITTED, brief__isnull=False)
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
    result.by_month = _by_month(period, lines)
    result.posts_over_plan = _posts_over_plan(period)
    result.warnings = _warnings(result)
    return result


def period_figures(periods) -> list[Figures]:
    """The totals of each period (amounts, delivered posts, cost per post, forecast, value for money), in the
    order given, in three grouped queries however many periods there are (the results page shows every
    period of the years it covers). The per-topic, per-agency and per-month rows are left empty: ``figures``
    adds them for the one period of the dashboard."""
    periods = list(periods)
    ids = [period.pk for period in periods]
    by_status = defaultdict(list)
    for row in (
        CostLine.objects.filter(period__in=ids)
        .values("period", "status")
        .annotate(excl=Sum("amount_excl_vat"), vat=Sum("vat_amount"))
        .order_by()
    ):
        by_status[row["period"]].append(row)
    posted = Q(brief__status=BriefStatus.POSTED)
    committed_rows = {
        row["period"]: row
        for row in CostLine.objects.filter(period__in=ids, status__in=COMMITTED)
        .values("period")
        .annotate(
            # Posts delivered under a budget: posted briefs with committed costs in the period.
            delivered=Count("brief", distinct=True, filter=posted),
            delivered_spent=Sum("amount_excl_vat", filter=posted),
            overhead=Sum("amount_excl_vat", filter=Q(brief__isnull=True)),
        )
        .order_by()
    }
    reach = _reach_per_period(ids)
    results = []
    for period in periods:
        rows = by_status[period.pk]
        row = committed_rows.get(period.pk, {})
        committed = _pair(rows, COMMITTED)
        amount = Pair(period.amount_excl_vat, vat_on(period.amount_excl_vat, period.vat_rate))
        delivered = row.get("delivered", 0)
        delivered_spent = cents(row.get("delivered_spent"))
        cost_per_post = forecast = None
        if delivered:
            cost_per_post = (delivered_spent / delivered).quantize(CENT, rounding=ROUND_HALF_UP)
            forecast = (cost_per_post * period.planned_posts + cents(row.get("overhead"))).quantize(CENT)
        result = Figures(
            period=period,
            amount=amount,
            planned=_pair(rows, (CostStatus.PLANNED,)),
            committed=committed,
            invoiced=_pair(rows, INVOICED),
            paid=_pair(rows, (CostStatus.PAID,)),
            remaining=Pair(period.amount_excl_vat - committed.excl, amount.vat - committed.vat),
            delivered_posts=delivered,
            cost_per_post=cost_per_post,
            forecast=forecast,
        )
        _value_for_money(result, delivered_spent, *reach.get(period.pk, (0, 0)))
        results.append(result)
    return results


def _reach_per_period(ids: list[int]) -> dict[int, tuple[int, int]]:
    """Views and engagements (likes + comments + shares) per period of the posted videos it paid for (posted
    briefs with committed costs in it, of the period's own organisation), each video counted once at its latest
    figures. One query: the distinct (period, brief) pairs of the committed lines joined to the one
    LatestFigures row of each brief's video, summed per period. No subquery runs per period, snapshot or video."""
    pairs = (
        CostLine.objects.filter(
            period__in=ids,
            status__in=COMMITTED,
            brief__status=BriefStatus.POSTED,
            brief__organisation=F("period__organisation"),
            brief__posting__latest_figures__isnull=False,
        )
        .values_list(
            "period",
            "brief",
            "brief__posting__latest_figures__views",
            "brief__posting__latest_figures__likes",
            "brief__posting__latest_figures__comments",
            "brief__posting__latest_figures__shares",
        )
        .distinct()
        .order_by()
    )
    reach: dict[int, tuple[int, int]] = {}
    for period, _brief, views, likes, comments, shares in pairs:
        seen_views, seen_engagements = reach.get(period, (0, 0))
        reach[period] = (seen_views + views, seen_engagements + likes + comments + shares)
    return reach


def _value_for_money(result: Figures, spent: Decimal, views: int, engagements: int) -> None:
    """Cost per 1,000 views and per engagement (likes + comments + shares), over the posted videos this
    period paid for, each counted at its latest figures."""
    result.views, result.engagements = views, engagements
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

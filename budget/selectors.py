"""Dashboard figures for a budget period, computed in a fixed number of queries.

Every total is a sum of rounded line amounts (VAT per line), so the dashboard, the brief page and the
exports show the same numbers to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from accounts.models import Organisation
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
    # The same with the period's overhead (costs for no brief) added.
    overhead: Decimal = ZERO
    cost_per_thousand_views_all: Decimal | None = None
    cost_per_engagement_all: Decimal | None = None
    # The forecast: committed so far + the plan of the posts to go.
    posts_to_go: int = 0
    forecast_remaining: Decimal = ZERO
    outside: dict = field(default_factory=dict)


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
    result.by_month, result.outside = _by_month(period, lines)
    result.posts_over_plan = _posts_over_plan(period)
    result.warnings = _warnings(result)
    return result


def period_figures(periods) -> list[Figures]:
    """The totals of each period (amounts, delivered posts, cost per post, forecast, value for money), in the
    order given, in five grouped queries however many periods there are (the results page shows every period of
    the years it covers). The per-topic, per-agency and per-month rows are left empty: ``figures`` adds them for
    the one period of the dashboard."""
    periods = list(periods)
    ids = [period.pk for period in periods]
    if not ids:
        return []
    by_status = defaultdict(list)
    for row in (
        CostLine.objects.filter(period__in=ids)
        .values("period", "status")
        .annotate(excl=Sum("amount_excl_vat"), vat=Sum("vat_amount"))
        .order_by()
    ):
        by_status[row["period"]].append(row)
    zones = dict(
        Organisation.objects.filter(pk__in={p.organisation_id for p in periods}).values_list("pk", "time_zone")
    )
    # Committed costs per (period, brief), with when the brief was posted: overhead has no brief.
    per_brief: dict[int, dict] = defaultdict(dict)
    posted_on: dict[int, datetime] = {}
    for row in (
        CostLine.objects.filter(period__in=ids, status__in=COMMITTED)
        .values("period", "brief", "brief__status", "brief__posting__posted_at")
        .annotate(excl=Sum("amount_excl_vat"))
        .order_by()
    ):
        per_brief[row["period"]][row["brief"]] = cents(row["excl"])
        if row["brief__status"] == BriefStatus.POSTED and row["brief__posting__posted_at"] is not None:
            posted_on[row["brief"]] = row["brief__posting__posted_at"]
    plans = defaultdict(list)
    for row in PostAllocation.objects.filter(period__in=ids).values("period", "brief", "amount").order_by("position"):
        plans[row["period"]].append(row)
    reach = _reach_per_brief(ids)
    results = []
    for period in periods:
        rows = by_status[period.pk]
        costs = per_brief[period.pk]
        committed = _pair(rows, COMMITTED)
        amount = Pair(period.amount_excl_vat, vat_on(period.amount_excl_vat, period.vat_rate))
        zone = ZoneInfo(zones[period.organisation_id])
        # Delivered: posted inside the period (a post published before it is not one of its posts).
        delivered = {
            brief
            for brief in costs
            if brief in posted_on and period.starts_on <= posted_on[brief].astimezone(zone).date() <= period.ends_on
        }
        delivered_spent = sum((costs[brief] for brief in delivered), ZERO)
        overhead = costs.get(None, ZERO)
        cost_per_post = None
        if delivered:
            cost_per_post = (delivered_spent / len(delivered)).quantize(CENT, rounding=ROUND_HALF_UP)
        result = Figures(
            period=period,
            amount=amount,
            planned=_pair(rows, (CostStatus.PLANNED,)),
            committed=committed,
            invoiced=_pair(rows, INVOICED),
            paid=_pair(rows, (CostStatus.PAID,)),
            remaining=Pair(period.amount_excl_vat - committed.excl, amount.vat - committed.vat),
            delivered_posts=len(delivered),
            cost_per_post=cost_per_post,
            forecast=None,
            overhead=overhead,
        )
        _forecast(result, plans[period.pk], costs, delivered)
        views = sum(reach.get((period.pk, brief), (0, 0))[0] for brief in delivered)
        engagements = sum(reach.get((period.pk, brief), (0, 0))[1] for brief in delivered)
        _value_for_money(result, delivered_spent, views, engagements)
        results.append(result)
    return results


def _forecast(result: Figures, plans: list[dict], costs: dict, delivered: set) -> None:
    """What the period will cost: the costs committed so far, plus for each planned post not yet delivered its
    plan (less what is already committed to it). Not "cost per delivered post times planned posts": one delivered post
    with a one-off fee would make every post cost that much."""
    to_go = max(result.period.planned_posts - len(delivered), 0)
    waiting = [plan for plan in plans if plan["brief"] not in delivered][:to_go]
    remaining = sum(
        (max(cents(plan["amount"]) - costs.get(plan["brief"], ZERO), ZERO) if plan["brief"] else cents(plan["amount"])
         for plan in waiting),
        ZERO,
    )  # fmt: skip
    result.posts_to_go = to_go
    result.forecast_remaining = remaining
    result.forecast = result.committed.excl + remaining


def _reach_per_brief(ids: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """Views and engagements (likes + comments + shares) of each posted video a period paid for (posted briefs with
    committed costs in it, of the period's own organisation), at its latest figures. One query: the distinct
    (period, brief) pairs of the committed lines joined to the one LatestFigures row of each brief's video. No
    subquery runs per period, snapshot or video."""
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
    return {
        (period, brief): (views, likes + comments + shares) for period, brief, views, likes, comments, shares in pairs
    }


def _value_for_money(result: Figures, spent: Decimal, views: int, engagements: int) -> None:
    """Cost per 1,000 views and per engagement (likes + comments + shares), over the posted videos delivered in the
    period, each counted at its latest figures: from their own costs, and with the period's overhead added (the
    agency's retainer, a campaign's set-up): both, labelled, so neither flatters."""
    result.views, result.engagements = views, engagements
    with_overhead = spent + result.overhead
    if result.views:
        result.cost_per_thousand_views = (spent * 1000 / result.views).quantize(CENT, rounding=ROUND_HALF_UP)
        result.cost_per_thousand_views_all = (with_overhead * 1000 / result.views).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    if result.engagements:
        result.cost_per_engagement = (spent / result.engagements).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        result.cost_per_engagement_all = (with_overhead / result.engagements).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )


def _months(period: BudgetPeriod) -> list[date]:
    months, current = [], date(period.starts_on.year, period.starts_on.month, 1)
    while current <= period.ends_on:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


SERIES = {
    # name: (the statuses it holds, the date it is counted on)
    "committed": (COMMITTED, "committed_on"),
    "invoiced": (INVOICED, "invoice_date"),
    "paid": ((CostStatus.PAID,), "paid_on"),
}


def _by_month(period: BudgetPeriod, lines) -> tuple[list[dict], dict]:
    """Cumulative committed, invoiced and paid costs per month of the period, each by its own date (committed on,
    invoice date, paid on), against a straight line from 0 to the amount. A cost dated before the period counts
    from its first month, one dated after it in its last, and both are reported (``outside``), so the series end
    at the totals and nothing vanishes."""
    months = _months(period)
    first, last = months[0], months[-1]
    amounts = {name: defaultdict(lambda: ZERO) for name in SERIES}
    outside = {"before": defaultdict(lambda: ZERO), "after": defaultdict(lambda: ZERO)}
    for name, (statuses, field_name) in SERIES.items():
        for row in (
            lines.filter(status__in=statuses).values(field_name).annotate(excl=Sum("amount_excl_vat")).order_by()
        ):
            day = row[field_name]
            if day is None:  # not expected (the database asks for the dates); counted in the first month
                day = period.starts_on
            month = date(day.year, day.month, 1)
            if day < period.starts_on:
                outside["before"][name] += cents(row["excl"])
                month = first
            elif day > period.ends_on:
                outside["after"][name] += cents(row["excl"])
                month = last
            amounts[name][month] += cents(row["excl"])
    series, running = [], dict.fromkeys(SERIES, ZERO)
    for index, month in enumerate(months, start=1):
        for name in SERIES:
            running[name] += amounts[name][month]
        plan = (period.amount_excl_vat * index / len(months)).quantize(CENT, rounding=ROUND_HALF_UP)
        series.append({"month": month, **running, "spent": running["committed"], "plan": plan})
    return series, {side: dict(values) for side, values in outside.items() if any(values.values())}


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
            _("With the plan for the %(posts)s posts still to come, the period will cost %(forecast)s: over budget.")
            % {"posts": f.posts_to_go, "forecast": money(f.forecast, f.period.currency)}
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

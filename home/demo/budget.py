"""Demo budgets: the ministry's pilot period "TikTok H2" of EUR 5,125.00 excl. VAT at 21% for 52 posts,
approved by the MT, with cost lines for the pilot videos, and the half year running now, also approved,
with the costs of the recent posts; Nykvarn's SEK periods at 25%: 2020's approved, this year's still
proposed, so its MT has a decision waiting."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, Organisation, User
from budget import services
from budget.models import CostStatus
from content.models import Brief, BriefStatus
from core import outbox


def _months_later(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@transaction.atomic
def seed_demo_budget(*, now: datetime) -> None:
    with outbox.muted():  # history: nobody is mailed about the demo's periods
        _seed_demo_budget(now=now)


def _seed_demo_budget(*, now: datetime) -> None:
    agency = Agency.objects.get(name__endswith="(demo)")
    vws = Organisation.objects.get(slug="vws")
    if not vws.budget_periods.filter(starts_on__year=2020).exists():
        social = User.objects.get(username="vws-social")
        period = services.period_create(
            actor=social,
            organisation=vws,
            fields={
                "channel": vws.channels.order_by("pk").first(),
                "name": "TikTok H2",
                "starts_on": date(2020, 11, 1),
                "ends_on": date(2021, 4, 30),
                "amount_excl_vat": Decimal("5125.00"),
                "vat_rate": Decimal("21.00"),
                "planned_posts": 52,
            },
        )
        services.period_approve(actor=User.objects.get(username="vws-mt"), period=period)
        pilot = Brief.objects.filter(
            organisation=vws, status=BriefStatus.POSTED, posting__posted_at__date__lt=date(2021, 6, 1)
        ).select_related("posting")
        for index, brief in enumerate(pilot.order_by("posting__posted_at")):
            invoice_date = brief.posting.posted_at.date() + timedelta(days=14)
            paid = index < 10  # the older invoices are paid
            services.cost_line_create(
                actor=social,
                period=period,
                fields={
                    "brief": brief,
                    "agency": agency,
                    "kind": "agency_fee",
                    "supplier": agency.name,
                    "description": "Productie TikTok incl. creator",
                    "amount_excl_vat": Decimal("98.56"),
                    "invoice_number": f"KCB-2020-{index + 1:03d}",
                    "invoice_date": invoice_date,
                    # Ordered when the script was approved, about ten days before posting; paid three weeks
                    # after the invoice.
                    "committed_on": brief.posting.posted_at.date() - timedelta(days=10),
                    "paid_on": invoice_date + timedelta(days=21) if paid else None,
                },
                status=CostStatus.PAID if paid else CostStatus.INVOICED,
            )
        services.cost_line_create(
            actor=social,
            period=period,
            fields={
                "kind": "boost",
                "supplier": "TikTok",
                "description": "Boost vaccinatievideo",
                "amount_excl_vat": Decimal("150.00"),
                "committed_on": date(2021, 1, 15),
            },
            status=CostStatus.COMMITTED,
        )
    today = timezone.localdate(now, vws.zone)
    if not vws.budget_periods.filter(starts_on__lte=today, ends_on__gte=today).exists():
        _current_vws_period(vws, agency, today)
    nykvarn = Organisation.objects.get(slug="nykvarn")
    if not nykvarn.budget_periods.filter(starts_on__year=2020).exists():
        social = User.objects.get(username="nykvarn-social")
        period = services.period_create(
            actor=social,
            organisation=nykvarn,
            fields={
                "name": "TikTok 2020",
                "starts_on": date(2020, 5, 1),
                "ends_on": date(2020, 12, 31),
                "amount_excl_vat": Decimal("24000.00"),
                "planned_posts": 16,
            },
        )
        services.period_approve(actor=User.objects.get(username="nykvarn-mt"), period=period)
        brief = Brief.objects.filter(organisation=nykvarn, status=BriefStatus.POSTED).first()
        if brief is not None:
            services.cost_line_create(
                actor=social,
                period=period,
                fields={
                    "brief": brief,
                    "agency": agency,
                    "kind": "agency_fee",
                    "supplier": agency.name,
                    "amount_excl_vat": Decimal("1850.00"),
                    "committed_on": brief.posting.posted_at.date() - timedelta(days=14),
                },
                status=CostStatus.COMMITTED,
            )
    today = timezone.localdate(now, nykvarn.zone)
    if not nykvarn.budget_periods.filter(starts_on__lte=today, ends_on__gte=today).exists():
        services.period_create(
            actor=User.objects.get(username="nykvarn-social"),
            organisation=nykvarn,
            fields={
                "name": f"TikTok {today.year}",
                "starts_on": date(today.year, 1, 1),
                "ends_on": date(today.year, 12, 31),
                "amount_excl_vat": Decimal("36000.00"),
                "planned_posts": 24,
            },
        )


def _current_vws_period(vws, agency, today: date) -> None:
    """Six months from the first of the month of the oldest post of the last four weeks (or of this month):
    the recent posts' costs are in it, and it runs today."""
    social = User.objects.get(username="vws-social")
    recent = list(
        Brief.objects.filter(
            organisation=vws, status=BriefStatus.POSTED, posting__posted_at__date__gte=today - timedelta(weeks=4)
        )
        .select_related("posting")
        .order_by("posting__posted_at")
    )
    first = min([timezone.localdate(b.posting.posted_at, vws.zone) for b in recent], default=today)
    starts_on = first.replace(day=1)
    ends_on = _months_later(starts_on, 6) - timedelta(days=1)
    period = services.period_create(
        actor=social,
        organisation=vws,
        fields={
            "channel": vws.channels.order_by("pk").first(),
            "name": f"TikTok {starts_on:%Y-%m} t/m {ends_on:%Y-%m}",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "amount_excl_vat": Decimal("5125.00"),
            "vat_rate": Decimal("21.00"),
            "planned_posts": 52,
        },
    )
    services.period_approve(actor=User.objects.get(username="vws-mt"), period=period)
    for index, brief in enumerate(recent):
        posted_on = timezone.localdate(brief.posting.posted_at, vws.zone)
        invoiced = posted_on + timedelta(days=7) <= today  # the agency invoices a week after posting
        services.cost_line_create(
            actor=social,
            period=period,
            fields={
                "brief": brief,
                "agency": agency,
                "kind": "agency_fee",
                "supplier": agency.name,
                "description": "Productie TikTok incl. creator",
                "amount_excl_vat": Decimal("98.56"),
                "invoice_number": f"KCB-{posted_on:%Y%m%d}-{index + 1}" if invoiced else "",
                "invoice_date": posted_on + timedelta(days=7) if invoiced else None,
                "committed_on": posted_on - timedelta(days=7),
            },
            status=CostStatus.INVOICED if invoiced else CostStatus.COMMITTED,
        )

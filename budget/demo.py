"""Demo budgets: the ministry's "TikTok H2" of EUR 5,125.00 excl. VAT at 21% for 52 posts, approved by
the MT, with cost lines for the pilot videos; Nykvarn's SEK period at 25%, still proposed."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import Agency, Organisation, User
from content.models import Brief, BriefStatus

from . import services
from .models import CostStatus


@transaction.atomic
def seed_demo_budget() -> None:
    agency = Agency.objects.get(name__endswith="(demo)")
    vws = Organisation.objects.get(slug="vws")
    if not vws.budget_periods.exists():
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
            },
            status=CostStatus.COMMITTED,
        )
    nykvarn = Organisation.objects.get(slug="nykvarn")
    if not nykvarn.budget_periods.exists():
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
                },
                status=CostStatus.COMMITTED,
            )

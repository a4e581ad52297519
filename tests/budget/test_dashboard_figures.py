"""What the MT reads on the budget dashboard: spend over time by the date each cost was committed (with invoiced
and paid as series of their own, and costs dated outside the period shown as such), a forecast that uses the plan
for the posts still to come, value for money with and without the overhead, suppliers that are one supplier, and
exports that open as the reader's Excel expects."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from budget import selectors, services
from budget.models import CostStatus
from content import services as content
from tests.workflow import approve_all, brief_with_agency, deliver_script, deliver_video_file

pytestmark = pytest.mark.django_db
FIGURES = {
    "views": 50_000,
    "likes": 7_000,
    "comments": 100,
    "shares": 1_000,
    "measured_at": datetime(2027, 2, 1, tzinfo=UTC),
    "bucket": datetime(2027, 2, 1, tzinfo=UTC),
    "source": "api",
}
H1 = {"starts_on": date(2027, 1, 1), "ends_on": date(2027, 6, 30)}  # January to June 2027


@pytest.fixture
def period(world):
    return services.period_create(
        actor=world.people["team_social"],
        organisation=world.ministry,
        fields={
            "channel": world.channel,
            "name": "TikTok H1 2027",
            **H1,
            "amount_excl_vat": Decimal("5125.00"),
            "vat_rate": Decimal("21.00"),
            "planned_posts": 52,
        },
    )


def cost(world, period, amount, *, brief=None, status=CostStatus.COMMITTED, **fields):
    return services.cost_line_create(
        actor=world.people["team_social"],
        period=period,
        fields={"brief": brief, "agency": world.agency, "kind": "agency_fee", "amount_excl_vat": Decimal(amount)}
        | fields,
        status=status,
        on=fields.get("committed_on"),
    )


def month(f, year, number):
    return next(row for row in f.by_month if row["month"] == date(year, number, 1))


def posted(world, when, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    approve_all(world, deliver_video_file(world, brief))
    content.posting_record(
        actor=world.people["agency_member"],
        brief=brief,
        tiktok_url=f"https://www.tiktok.com/@{world.channel.handle}/video/{7077642457847990000 + brief.pk}",
        posted_at=when,
        now=when,
    )
    return brief


def test_a_committed_cost_counts_from_the_month_it_was_committed_not_the_last(world, period):
    cost(world, period, "400.00", committed_on=date(2027, 1, 12))  # ordered in January, not invoiced yet
    f = selectors.figures(period)
    assert month(f, 2027, 1)["committed"] == Decimal("400.00")
    assert month(f, 2027, 1)["invoiced"] == month(f, 2027, 6)["invoiced"] == Decimal("0.00")
    assert [row["committed"] for row in f.by_month] == [Decimal("400.00")] * 6


def test_invoiced_and_paid_are_series_of_their_own_by_their_own_dates(world, period):
    line = cost(world, period, "100.00", committed_on=date(2027, 1, 5))
    services.cost_line_advance(
        actor=world.people["team_social"],
        line=line,
        status=CostStatus.INVOICED,
        invoice_number="F-1",
        invoice_date=date(2027, 3, 2),
    )
    services.cost_line_advance(
        actor=world.people["team_social"], line=line, status=CostStatus.PAID, on=date(2027, 4, 1)
    )
    f = selectors.figures(period)
    assert [(row["committed"], row["invoiced"], row["paid"]) for row in f.by_month[:4]] == [
        (Decimal("100.00"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("100.00"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("100.00"), Decimal("100.00"), Decimal("0.00")),
        (Decimal("100.00"), Decimal("100.00"), Decimal("100.00")),
    ]


def test_a_cost_invoiced_before_the_period_does_not_vanish(world, period, client_for):
    cost(world, period, "98.56", committed_on=date(2027, 2, 1))
    early = cost(
        world,
        period,
        "548.56",
        committed_on=date(2026, 12, 1),
        status=CostStatus.INVOICED,
        invoice_number="F-0",
        invoice_date=date(2026, 12, 20),
    )
    f = selectors.figures(period)
    # The series end at the totals: the early cost counts from the period's first month, and is reported.
    assert f.by_month[-1]["committed"] == f.committed.excl == Decimal("647.12")
    assert f.by_month[-1]["invoiced"] == f.invoiced.excl == early.amount_excl_vat
    assert f.outside == {"before": {"committed": Decimal("548.56"), "invoiced": Decimal("548.56")}}
    page = client_for(world.people["management"]).get(reverse("budget_dashboard") + f"?period={period.pk}")
    assert "Dated before the period began, counted in its first month: €548.56 committed, €548.56 invoiced." in (
        page.content.decode()
    )


def test_the_forecast_uses_the_plan_for_the_posts_to_come_not_one_posts_cost(world, period, settings, tmp_path):
    brief = posted(world, datetime(2027, 1, 14, 15, tzinfo=UTC), settings, tmp_path)
    cost(world, period, "98.56", brief=brief, committed_on=date(2027, 1, 10))
    cost(world, period, "500.00", brief=brief, kind="production", committed_on=date(2027, 1, 10))  # a one-off fee
    f = selectors.figures(period)
    assert f.delivered_posts == 1 and f.cost_per_post == Decimal("598.56")
    # Not 598.56 times 52 = 31,125.12: what is committed, plus the plan of the 51 posts to come.
    plan_to_come = sum(a.amount for a in period.allocations.exclude(brief=brief).order_by("position")[:51])
    assert f.posts_to_go == 51 and f.forecast_remaining == plan_to_come
    its_own_plan = period.allocations.get(brief=brief).amount
    assert f.forecast == Decimal("598.56") + plan_to_come == Decimal("5125.00") - its_own_plan + Decimal("598.56")
    assert f.warnings == [
        f"With the plan for the 51 posts still to come, the period will cost €{f.forecast:,}: over budget.",
        "“Get your booster” costs more than its plan.",
    ]


def test_a_post_published_before_the_period_is_not_one_of_its_delivered_posts(world, period, settings, tmp_path):
    december = posted(world, datetime(2026, 12, 17, 15, tzinfo=UTC), settings, tmp_path)
    cost(world, period, "98.56", brief=december, committed_on=date(2027, 1, 5))  # its invoice came in January
    f = selectors.figures(period)
    assert (f.delivered_posts, f.cost_per_post, f.committed.excl) == (0, None, Decimal("98.56"))


def test_value_for_money_with_and_without_the_overhead(world, period, settings, tmp_path):
    from stats.models import LatestFigures

    brief = posted(world, datetime(2027, 1, 14, 15, tzinfo=UTC), settings, tmp_path)
    cost(world, period, "100.00", brief=brief, committed_on=date(2027, 1, 10))
    cost(world, period, "300.00", kind="other", description="Retainer", committed_on=date(2027, 1, 2))  # overhead
    LatestFigures.objects.update_or_create(posting=brief.posting, defaults=FIGURES)
    f = selectors.figures(period)
    assert (f.cost_per_thousand_views, f.cost_per_thousand_views_all) == (Decimal("2.00"), Decimal("8.00"))
    assert (f.cost_per_engagement, f.cost_per_engagement_all) == (Decimal("0.0123"), Decimal("0.0494"))


def test_small_amounts_keep_their_precision_on_the_page(world, period, settings, tmp_path, client_for):
    from stats.models import LatestFigures

    brief = posted(world, datetime(2027, 1, 14, 15, tzinfo=UTC), settings, tmp_path)
    cost(world, period, "100.00", brief=brief, committed_on=date(2027, 1, 10))
    LatestFigures.objects.update_or_create(posting=brief.posting, defaults=FIGURES)
    management = world.people["management"]
    management.language = "nl"
    management.save()
    html = client_for(management).get(reverse("budget_dashboard") + f"?period={period.pk}").content.decode()
    assert "€\xa00,0123" in html  # not "€ 0,01"
    # Without overhead the page says so, rather than repeat the same figure as "with the overhead".
    assert "Geen overhead in deze periode." in html and "Met de overhead" not in html
    cost(world, period, "300.00", kind="other", description="Retainer", committed_on=date(2027, 1, 2))
    html = client_for(management).get(reverse("budget_dashboard") + f"?period={period.pk}").content.decode()
    assert "Met de overhead: €\xa08,00." in html


def test_an_agency_is_its_own_supplier_and_free_text_is_for_others(world, period):
    line = cost(world, period, "10.00", supplier="Korte Clips")
    assert line.supplier == world.agency.name  # not a second supplier under another spelling
    other = cost(world, period, "20.00", agency=None, supplier="Drukkerij Jansen")
    assert other.supplier == "Drukkerij Jansen"
    with pytest.raises(ValidationError, match="Choose the agency, or name the supplier"):
        cost(world, period, "30.00", agency=None, supplier=" ")
    rows = selectors.figures(period).by_agency
    assert sorted((row["supplier"], row["excl"]) for row in rows) == sorted(
        [("Drukkerij Jansen", Decimal("20.00")), (world.agency.name, Decimal("10.00"))]
    )


def _export(client, period, kind):
    return client.get(reverse(f"budget_export_{kind}", args=[period.pk])).content


def test_the_csv_opens_in_the_readers_excel(world, period, client_for):
    cost(world, period, "98.56", committed_on=date(2027, 1, 5))
    management = world.people["management"]
    english = _export(client_for(management), period, "csv").decode("utf-8")
    assert english.startswith("\ufeff")
    line = next(csv.reader(io.StringIO(english[1:].splitlines()[1])))
    assert line[6] == "98.56" and line[12] == "2027-01-05"
    management.language = "nl"
    management.save()
    dutch = _export(client_for(management), period, "csv").decode("utf-8")
    assert dutch.startswith("\ufeff")
    header, first = dutch[1:].splitlines()[:2]
    assert header.startswith("periode;")  # semicolons, as Dutch Excel splits columns
    cells = next(csv.reader(io.StringIO(first), delimiter=";"))
    assert cells[6] == "98,56" and cells[8] == "20,70" and cells[12] == "2027-01-05"


def test_the_xlsx_has_real_dates(world, period, client_for):
    line = cost(world, period, "98.56", committed_on=date(2027, 1, 5))
    services.cost_line_advance(
        actor=world.people["team_social"],
        line=line,
        status=CostStatus.INVOICED,
        invoice_number="F-7",
        invoice_date=date(2027, 2, 3),
    )
    book = load_workbook(io.BytesIO(_export(client_for(world.people["management"]), period, "xlsx")))
    row = next(book["Cost lines"].iter_rows(min_row=2))
    assert row[11].value == datetime(2027, 2, 3) and row[11].is_date
    assert row[12].value == datetime(2027, 1, 5) and row[12].number_format == "yyyy-mm-dd"

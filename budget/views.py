"""Budget pages. Periods are looked up within the current organisation; the MT reads and approves."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts import access
from accounts.decorators import capability_required
from accounts.roles import Capability
from audit import trail
from audit.trail import Origin
from core import charts, downloads, spreadsheets
from core.pagination import paginate
from core.spreadsheets import SafeWriter

from . import selectors, services
from .forms import AdvanceForm, CostLineForm, OverrideForm, PeriodForm
from .models import BudgetPeriod, CostLine, PeriodStatus


@capability_required(Capability.VIEW_BUDGET)
def dashboard(request):
    periods = list(BudgetPeriod.objects.visible_to(request.membership).select_related("channel", "owner"))
    chosen = request.GET.get("period", "")
    period = next((p for p in periods if str(p.pk) == chosen), periods[0] if periods else None)
    context = {"periods": periods, "period": period}
    if period is not None:
        f = selectors.figures(period)
        context.update(
            figures=f,
            spend_chart=charts.line(
                [(row["month"], row["committed"], row["invoiced"], row["paid"], row["plan"]) for row in f.by_month],
                lines=4,
            ),
            topic_chart=charts.bars([(row["brief__topic__name"] or "—", row["excl"]) for row in f.by_topic]),
            agency_chart=charts.bars([(row["supplier"] or "—", row["excl"]) for row in f.by_agency]),
            can_manage=access.has_capability(request.membership, Capability.MANAGE_BUDGET),
            can_edit=access.has_capability(request.membership, Capability.MANAGE_BUDGET)
            and period.status != PeriodStatus.CLOSED,
            can_approve=access.has_capability(request.membership, Capability.APPROVE_BUDGET)
            and period.status == PeriodStatus.PROPOSED,
            can_close=access.has_capability(request.membership, Capability.MANAGE_BUDGET)
            and period.status != PeriodStatus.CLOSED,
        )
    else:
        context["can_manage"] = access.has_capability(request.membership, Capability.MANAGE_BUDGET)
    return render(request, "budget/dashboard.html", context)


@capability_required(Capability.MANAGE_BUDGET)
def period_form(request, pk=None):
    period = get_object_or_404(BudgetPeriod.objects.visible_to(request.membership), pk=pk) if pk else None
    form = PeriodForm(request.POST or None, instance=period, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PERIOD_FIELDS}
        try:
            if period is None:
                period = services.period_create(
                    actor=request.user,
                    organisation=request.organisation,
                    fields=fields,
                    origin=Origin.from_request(request),
                )
            else:
                services.period_update(
                    actor=request.user, period=period, fields=fields, origin=Origin.from_request(request)
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The budget period has been saved."))
            return redirect(f"{reverse('budget_dashboard')}?period={period.pk}")
    return render(request, "budget/period_form.html", {"form": form, "period": period})


@capability_required(Capability.MANAGE_BUDGET)
@require_POST
def period_close(request, pk):
    """Close a period at its end: it takes no new costs, and a closed period's figures stay as they are."""
    period = get_object_or_404(BudgetPeriod.objects.visible_to(request.membership), pk=pk)
    try:
        services.period_close(actor=request.user, period=period, origin=Origin.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The budget period is closed: it takes no new costs."))
    return redirect(f"{reverse('budget_dashboard')}?period={period.pk}")


@capability_required(Capability.APPROVE_BUDGET)
@require_POST
def period_approve(request, pk):
    period = get_object_or_404(
        BudgetPeriod.objects.visible_to(request.membership).select_related("channel", "owner"), pk=pk
    )
    try:
        services.period_approve(actor=request.user, period=period, origin=Origin.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You have approved the budget period."))
    return redirect(f"{reverse('budget_dashboard')}?period={period.pk}")


@capability_required(Capability.VIEW_BUDGET)
def cost_lines(request, pk):
    period = get_object_or_404(
        BudgetPeriod.objects.visible_to(request.membership).select_related("channel", "owner"), pk=pk
    )
    can_manage = access.has_capability(request.membership, Capability.MANAGE_BUDGET)
    # A closed period takes no new costs: no form to add one (its lines can still move on, e.g. be paid).
    can_add = can_manage and period.status != PeriodStatus.CLOSED
    # The form (its brief list holds every brief of the period: thousands on a busy channel) is on the page when
    # someone adds a line, not each time the lines are read.
    adding = can_add and (request.method == "POST" or "add" in request.GET)
    form = CostLineForm(request.POST or None, period=period) if adding else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            fields = {
                name: form.cleaned_data.get(name)
                for name in (*services.COST_FIELDS, "invoice_number", "invoice_date", "committed_on")
            }
            try:
                services.cost_line_create(
                    actor=request.user,
                    period=period,
                    fields=fields,
                    status=form.cleaned_data["status"],
                    on=timezone.localdate(),
                    origin=Origin.from_request(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The cost line has been added."))
                return redirect("budget_costs", period.pk)
    lines = period.cost_lines.select_related("brief", "agency").order_by("-created_at")
    return render(
        request,
        "budget/cost_lines.html",
        {
            "period": period,
            "lines": paginate(request, lines),
            "form": form,
            "can_add": can_add,
            # "Add a cost line" keeps the page of lines the person is on.
            "add_query": urlencode([*((key, value) for key, value in request.GET.items() if key != "add"), ("add", 1)]),
            "advance_form": AdvanceForm(),
            "can_manage": can_manage,
            "can_approve": access.has_capability(request.membership, Capability.APPROVE_BUDGET),
        },
        status=400 if request.method == "POST" else 200,
    )


@capability_required(Capability.MANAGE_BUDGET)
@require_POST
def cost_line_advance(request, pk):
    line = get_object_or_404(CostLine.objects.visible_to(request.membership), pk=pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            services.cost_line_advance(
                actor=request.user,
                line=line,
                origin=Origin.from_request(request),
                **(form.cleaned_data | {"on": form.cleaned_data["on"] or timezone.localdate()}),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The cost line has been updated."))
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("budget_costs", line.period_id)


@capability_required(Capability.APPROVE_BUDGET)
@require_POST
def cost_line_approve_overrun(request, pk):
    line = get_object_or_404(CostLine.objects.visible_to(request.membership), pk=pk)
    services.cost_line_approve_overrun(actor=request.user, line=line, origin=Origin.from_request(request))
    messages.success(request, _("You have approved the overrun."))
    return redirect("budget_costs", line.period_id)


@capability_required(Capability.VIEW_BUDGET)
def allocations(request, pk):
    period = get_object_or_404(
        BudgetPeriod.objects.visible_to(request.membership).select_related("channel", "owner"), pk=pk
    )
    can_manage = access.has_capability(request.membership, Capability.MANAGE_BUDGET)
    form = OverrideForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            allocation = period.allocations.filter(position=form.cleaned_data["position"]).first()
            if allocation is None:
                form.add_error("position", _("This period has no post with that number."))
            else:
                try:
                    services.allocation_override(
                        actor=request.user,
                        allocation=allocation,
                        amount=form.cleaned_data["amount"],
                        origin=Origin.from_request(request),
                    )
                except ValidationError as error:
                    form.add_error("amount", error)
                else:
                    messages.success(request, _("The plan has been changed; the other posts share the rest."))
                    return redirect("budget_allocations", period.pk)
        status = 400
    rows = paginate(request, period.allocations.select_related("brief").order_by("position"), per_page=60)
    return render(request, "budget/allocations.html", {"period": period, "rows": rows, "form": form}, status=status)


@capability_required(Capability.PRODUCE_CONTENT)
def agency_costs(request):
    """An agency sees the cost lines of which it is the supplier, and nothing else of the budget."""
    lines = CostLine.objects.visible_to(request.membership).select_related("brief", "period").order_by("-created_at")
    return render(request, "budget/agency_costs.html", {"lines": paginate(request, lines)})


# Marked for the catalogues here, translated when written (in the downloader's language).
HEADER = [
    gettext_noop("period"),
    gettext_noop("brief"),
    gettext_noop("kind"),
    gettext_noop("supplier"),
    gettext_noop("description"),
    gettext_noop("status"),
    gettext_noop("excl. VAT"),
    gettext_noop("VAT %"),
    gettext_noop("VAT"),
    gettext_noop("incl. VAT"),
    gettext_noop("invoice"),
    gettext_noop("invoice date"),
    gettext_noop("committed on"),
    gettext_noop("paid on"),
]


def _rows(period):
    for line in period.cost_lines.select_related("brief").order_by("created_at"):
        yield [
            period.name,
            line.brief.reference if line.brief else "",
            line.get_kind_display(),
            line.supplier,
            line.description,
            line.get_status_display(),
            line.amount_excl_vat,
            line.vat_rate,
            line.vat_amount,
            line.amount_incl_vat,
            line.invoice_number,
            line.invoice_date,
            line.committed_on,
            line.paid_on,
        ]


def _figure_rows(f):
    return [
        [_("amount"), f.amount.excl, f.amount.vat, f.amount.incl],
        [_("committed"), f.committed.excl, f.committed.vat, f.committed.incl],
        [_("invoiced"), f.invoiced.excl, f.invoiced.vat, f.invoiced.incl],
        [_("paid"), f.paid.excl, f.paid.vat, f.paid.incl],
        [_("remaining"), f.remaining.excl, f.remaining.vat, f.remaining.incl],
    ]


def _csv_cell(value, comma: bool):
    if isinstance(value, Decimal):
        return str(value).replace(".", ",") if comma else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


@capability_required(Capability.VIEW_BUDGET)
def export_csv(request, pk):
    period = get_object_or_404(
        BudgetPeriod.objects.visible_to(request.membership).select_related("channel", "owner"), pk=pk
    )
    f = selectors.figures(period)
    trail.record_export(request, kind="budget.csv", obj=period, organisation=period.organisation)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = downloads.filename(pgettext("file name", "budget"), period.name, extension="csv")
    downloads.as_attachment(response, name)
    response.write("\ufeff")  # a byte-order mark: Excel then reads the file as UTF-8 (ë, å, ö stay themselves)
    # As the reader's Excel expects it: where the decimal sign is a comma (Dutch, Swedish), cells are separated by
    # semicolons and amounts written "98,56"; otherwise commas and "98.56". Dates are ISO (2026-12-01) in both.
    comma = formats.get_format("DECIMAL_SEPARATOR") == ","
    writer = SafeWriter(response, delimiter=";" if comma else ",")

    writer.writerow([_(h) for h in HEADER])
    for row in _rows(period):
        writer.writerow([_csv_cell(value, comma) for value in row])
    writer.writerow([])
    writer.writerow([_("figure"), _("excl. VAT"), _("VAT"), _("incl. VAT")])
    for row in _figure_rows(f):
        writer.writerow([_csv_cell(value, comma) for value in row])
    return response


@capability_required(Capability.VIEW_BUDGET)
def export_xlsx(request, pk):
    period = get_object_or_404(
        BudgetPeriod.objects.visible_to(request.membership).select_related("channel", "owner"), pk=pk
    )
    f = selectors.figures(period)
    book = Workbook()
    lines_sheet = book.active
    lines_sheet.title = _("Cost lines")
    lines_sheet.append([_(h) for h in HEADER])
    for cell in lines_sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(period):
        spreadsheets.append(lines_sheet, row)
    money_format = "#,##0.00"
    for column in ("G", "I", "J"):
        for cell in lines_sheet[column][1:]:
            cell.number_format = money_format
    for column in ("L", "M", "N"):  # real dates, which Excel sorts and filters as dates
        for cell in lines_sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    figures_sheet = book.create_sheet(_("Figures"))
    figures_sheet.append([_("figure"), _("excl. VAT"), _("VAT"), _("incl. VAT")])
    for row in _figure_rows(f):
        spreadsheets.append(figures_sheet, row)
    figures_sheet.append([_("currency"), period.currency])
    output = BytesIO()
    book.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    downloads.as_attachment(
        response, downloads.filename(pgettext("file name", "budget"), period.name, extension="xlsx")
    )
    trail.record_export(request, kind="budget.xlsx", obj=period, organisation=period.organisation)
    return response

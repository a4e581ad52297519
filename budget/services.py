"""Writes to budgets. Every function names its actor, checks the role, and writes an audit event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin

from . import notifications
from .models import COMMITTED, COST_FLOW, BudgetPeriod, CostLine, CostStatus, PeriodStatus, PostAllocation
from .money import allocate, vat_on
from .selectors import cents

PERIOD_FIELDS = ("channel", "name", "starts_on", "ends_on", "amount_excl_vat", "vat_rate", "planned_posts")
COST_FIELDS = ("brief", "agency", "kind", "supplier", "description", "amount_excl_vat")


def _event(actor, action, obj, period, origin, **details):
    return trail.record(
        organisation=period.organisation,
        actor=actor,
        action=action,
        obj=obj,
        subject=getattr(obj, "brief", None) if isinstance(obj, CostLine) else None,
        origin=origin,
        details={"period": period.pk, **details},
    )


def _money(value) -> str:
    return str(value) if value is not None else None


@transaction.atomic
def period_create(*, actor, organisation, fields: dict, origin: Origin | None = None) -> BudgetPeriod:
    require_in(actor, organisation, Capability.MANAGE_BUDGET)
    period = BudgetPeriod(organisation=organisation, owner=actor, currency=organisation.currency)
    for key in PERIOD_FIELDS:
        if key in fields:
            setattr(period, key, fields[key])
    if period.vat_rate is None:
        period.vat_rate = organisation.vat_rate
    _check_channel(period)
    period.full_clean()
    period.save()
    _regenerate_allocations(period)
    event = _event(
        actor, AuditAction.BUDGET_PERIOD_CREATED, period, period, origin, amount=_money(period.amount_excl_vat)
    )
    notifications.period_proposed(period, actor=actor, event=event)
    return period


@transaction.atomic
def period_update(*, actor, period: BudgetPeriod, fields: dict, origin: Origin | None = None) -> BudgetPeriod:
    period = BudgetPeriod.objects.select_for_update().get(pk=period.pk)
    require_in(actor, period.organisation, Capability.MANAGE_BUDGET)
    if period.status == PeriodStatus.CLOSED:
        raise ValidationError(_("A closed period can't be changed."), code="closed")
    changed = sorted(k for k in PERIOD_FIELDS if k in fields and getattr(period, k) != fields[k])
    for key in changed:
        setattr(period, key, fields[key])
    _check_channel(period)
    period.full_clean()
    proposed_again = {"amount_excl_vat", "planned_posts"} & set(changed) and period.status == PeriodStatus.APPROVED
    if proposed_again:
        # The MT approved an amount and a plan; changing them asks for its approval again.
        period.status, period.approved_by, period.approved_at = PeriodStatus.PROPOSED, None, None
    period.save()
    if {"amount_excl_vat", "planned_posts"} & set(changed):
        _regenerate_allocations(period)
    event = _event(actor, AuditAction.BUDGET_PERIOD_UPDATED, period, period, origin, fields=changed)
    if proposed_again:
        notifications.period_proposed(period, actor=actor, event=event)
    return period


def _check_channel(period: BudgetPeriod) -> None:
    if period.channel_id and period.channel.organisation_id != period.organisation_id:
        raise ValidationError({"channel": _("Choose one of your organisation's channels.")})


def _regenerate_allocations(period: BudgetPeriod) -> None:
    """Spread the amount over the planned posts; amounts set by hand (overrides) are kept."""
    existing = {a.position: a for a in period.allocations.all()}
    overrides = {pos: a for pos, a in existing.items() if a.is_override and pos <= period.planned_posts}
    fixed = sum((a.amount for a in overrides.values()), Decimal("0"))
    if fixed > period.amount_excl_vat:
        raise ValidationError(_("The amounts set by hand already exceed the period's amount."), code="overrides")
    free = [pos for pos in range(1, period.planned_posts + 1) if pos not in overrides]
    shares = allocate(period.amount_excl_vat - fixed, len(free)) if free else []
    PostAllocation.objects.filter(period=period, position__gt=period.planned_posts, brief__isnull=True).delete()
    for position, amount in zip(free, shares, strict=True):
        allocation = existing.get(position) or PostAllocation(period=period, position=position)
        allocation.amount = amount
        allocation.save()


@transaction.atomic
def allocation_override(*, actor, allocation: PostAllocation, amount: Decimal, origin=None) -> PostAllocation:
    """Plan a different amount for one post; the others share what remains."""
    period = allocation.period
    require_in(actor, period.organisation, Capability.MANAGE_BUDGET)
    if amount < 0:
        raise ValidationError(_("An amount can't be negative."), code="negative")
    allocation.amount, allocation.is_override = amount, True
    allocation.save()
    _regenerate_allocations(period)
    _event(
        actor,
        AuditAction.BUDGET_ALLOCATION_OVERRIDDEN,
        allocation,
        period,
        origin,
        position=allocation.position,
        amount=str(amount),
    )
    return allocation


@transaction.atomic
def period_approve(*, actor, period: BudgetPeriod, origin: Origin | None = None) -> BudgetPeriod:
    """The MT's decision on a proposed period (a conditional update: decided once)."""
    require_in(actor, period.organisation, Capability.APPROVE_BUDGET)
    now = timezone.now()
    changed = BudgetPeriod.objects.filter(pk=period.pk, status=PeriodStatus.PROPOSED).update(
        status=PeriodStatus.APPROVED, approved_by=actor, approved_at=now
    )
    if changed != 1:
        raise ValidationError(_("Only a proposed period can be approved."), code="not_proposed")
    period.refresh_from_db()
    _event(actor, AuditAction.BUDGET_PERIOD_APPROVED, period, period, origin, amount=_money(period.amount_excl_vat))
    return period


@transaction.atomic
def period_close(*, actor, period: BudgetPeriod, origin: Origin | None = None) -> BudgetPeriod:
    require_in(actor, period.organisation, Capability.MANAGE_BUDGET)
    if (
        BudgetPeriod.objects.filter(pk=period.pk).exclude(status=PeriodStatus.CLOSED).update(status=PeriodStatus.CLOSED)
        != 1
    ):
        raise ValidationError(_("This period is closed already."), code="closed")
    period.refresh_from_db()
    _event(actor, AuditAction.BUDGET_PERIOD_CLOSED, period, period, origin)
    return period


def _allocation_for(period: BudgetPeriod, brief) -> PostAllocation | None:
    """The brief's planned amount: the first free post of the period is given to it.

    A brief has one plan: charged in a later period as well, it keeps the post of its first period.
    """
    existing = PostAllocation.objects.filter(brief=brief).first()
    if existing is not None:
        return existing if existing.period_id == period.pk else None
    allocation = PostAllocation.objects.filter(period=period, brief__isnull=True).order_by("position").first()
    if allocation is not None:
        allocation.brief = brief
        allocation.save(update_fields=["brief"])
    return allocation


def _overrun(line: CostLine) -> str | None:
    """Why committing ``line`` overruns a budget, or None."""
    period = line.period
    others = CostLine.objects.filter(period=period, status__in=COMMITTED).exclude(pk=line.pk)
    committed = cents(others.aggregate(total=Sum("amount_excl_vat"))["total"]) + line.amount_excl_vat
    if committed > period.amount_excl_vat:
        return _("This cost takes the period over its amount.")
    if line.brief_id:
        allocation = PostAllocation.objects.filter(period=period, brief=line.brief).first()
        post_total = cents(others.filter(brief=line.brief).aggregate(total=Sum("amount_excl_vat"))["total"])
        post_total += line.amount_excl_vat
        if allocation is not None and post_total > allocation.amount:
            return _("This cost takes the post over its planned amount.")
    return None


def _check_overrun(line: CostLine) -> None:
    if line.status not in COMMITTED or not line.period.organisation.budget_overrun_needs_approval:
        return
    reason = _overrun(line)
    if reason and line.overrun_approved_by_id is None:
        raise ValidationError(
            _("%(reason)s Your organisation asks the MT to approve such an overrun first.") % {"reason": reason},
            code="overrun",
        )


@transaction.atomic
def cost_line_create(
    *, actor, period: BudgetPeriod, fields: dict, status=CostStatus.PLANNED, on: date | None = None, origin=None
) -> CostLine:
    """A new cost line. ``on``: the day it is entered (the view's today), the date it was committed and paid
    unless ``fields`` give those."""
    require_in(actor, period.organisation, Capability.MANAGE_BUDGET)
    if period.status == PeriodStatus.CLOSED:
        raise ValidationError(_("A closed period takes no new costs."), code="closed")
    line = CostLine(period=period, created_by=actor, status=status, vat_rate=period.vat_rate)
    for key in COST_FIELDS:
        if key in fields:
            setattr(line, key, fields[key])
    _check_brief(line)
    _name_supplier(line)
    line.vat_amount = vat_on(line.amount_excl_vat, line.vat_rate)
    for key in ("invoice_number", "invoice_date", "committed_on", "paid_on"):
        if fields.get(key):
            setattr(line, key, fields[key])
    _date_steps(line, on)
    line.full_clean()
    _check_overrun(line)
    line.save()
    if line.brief_id:
        _allocation_for(period, line.brief)
    _event(
        actor,
        AuditAction.BUDGET_COST_ADDED,
        line,
        period,
        origin,
        amount=_money(line.amount_excl_vat),
        status=line.status,
    )
    return line


def _name_supplier(line: CostLine) -> None:
    """An agency of the organisation is the supplier by its own name (one supplier, not "Korte Clips" beside "Korte
    Clips Bureau"); free text names only a supplier that isn't one of the agencies."""
    if line.agency_id:
        line.supplier = line.agency.name
    elif not (line.supplier or "").strip():
        raise ValidationError({"supplier": _("Choose the agency, or name the supplier.")})


def _date_steps(line: CostLine, on: date | None) -> None:
    """A committed line has the date it was committed, a paid one the date it was paid: given, else ``on``, else
    the day it is recorded (in the organisation's zone), as ``auto_now`` would stamp it."""
    day = on or timezone.localdate(timezone=line.period.organisation.zone)
    if line.status in COMMITTED and line.committed_on is None:
        line.committed_on = day
    if line.status == CostStatus.PAID and line.paid_on is None:
        line.paid_on = day


def _check_brief(line: CostLine) -> None:
    brief = line.brief
    if brief is None:
        return
    period = line.period
    if brief.organisation_id != period.organisation_id:
        raise ValidationError({"brief": _("This brief belongs to another organisation.")})
    if period.channel_id and brief.channel_id != period.channel_id:
        raise ValidationError({"brief": _("This brief is for another channel than the period's.")})


@transaction.atomic
def cost_line_advance(
    *,
    actor,
    line: CostLine,
    status: str,
    invoice_number: str = "",
    invoice_date=None,
    on: date | None = None,
    origin=None,
) -> CostLine:
    """Move a cost line forward: planned → committed → invoiced → paid (never back). ``on``: the day of the step
    (committed or paid on; the view gives today unless the person gives another day)."""
    line = CostLine.objects.select_for_update().select_related("period__organisation").get(pk=line.pk)
    require_in(actor, line.period.organisation, Capability.MANAGE_BUDGET)
    if status not in CostStatus.values or COST_FLOW.index(status) <= COST_FLOW.index(line.status):
        raise ValidationError(
            _("A cost line only moves forward: planned, committed, invoiced, paid."), code="backwards"
        )
    line.status = status
    if invoice_number:
        line.invoice_number = invoice_number
    if invoice_date:
        line.invoice_date = invoice_date
    if status in (CostStatus.INVOICED, CostStatus.PAID) and not (line.invoice_number and line.invoice_date):
        raise ValidationError(_("Give the invoice number and date."), code="invoice")
    _date_steps(line, on)
    _check_overrun(line)
    line.save()
    _event(actor, AuditAction.BUDGET_COST_ADVANCED, line, line.period, origin, status=status)
    return line


@transaction.atomic
def cost_line_approve_overrun(*, actor, line: CostLine, origin=None) -> CostLine:
    require_in(actor, line.period.organisation, Capability.APPROVE_BUDGET)
    line.overrun_approved_by = actor
    line.save(update_fields=["overrun_approved_by"])
    _event(actor, AuditAction.BUDGET_OVERRUN_APPROVED, line, line.period, origin, amount=_money(line.amount_excl_vat))
    return line

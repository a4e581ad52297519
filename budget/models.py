"""Budget periods (the central TikTok budget the MT decides on), the plan per post, and cost lines.

Money is Decimal with two decimals; the database refuses negative amounts, VAT rates outside 0-100 and
periods that end before they start, whatever the forms let through.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Channel, Currency, Organisation
from accounts.roles import Capability
from accounts.scoping import NOTHING, ScopedQuerySet, grants
from content.models import Brief

ZERO = Decimal("0")


class PeriodStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved by the MT")
    CLOSED = "closed", _("Closed")


class BudgetPeriodQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        if not grants(membership, Capability.VIEW_BUDGET):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)


class BudgetPeriod(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="budget_periods", verbose_name=_("organisation")
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_periods",
        verbose_name=_("channel"),
        help_text=_("Empty: for all the organisation's channels."),
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    amount_excl_vat = models.DecimalField(
        _("amount excl. VAT"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    planned_posts = models.PositiveSmallIntegerField(_("planned posts"), validators=[MinValueValidator(1)])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = BudgetPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget period")
        verbose_name_plural = _("budget periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_excl_vat__gte=0), name="period_amount_not_negative"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="period_vat_0_100"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="period_ends_after_start"),
            models.CheckConstraint(condition=Q(planned_posts__gte=1), name="period_plans_posts"),
        ]

    def __str__(self):
        return self.name


class PostAllocation(models.Model):
    """The planned amount for the n-th post of a period. The n-th brief charged to the period takes it."""

    period = models.ForeignKey(BudgetPeriod, on_delete=models.CASCADE, related_name="allocations")
    position = models.PositiveSmallIntegerField()
    amount = models.DecimalField(_("planned amount"), max_digits=12, decimal_places=2)
    is_override = models.BooleanField(default=False)
    brief = models.OneToOneField(Brief, on_delete=models.SET_NULL, null=True, blank=True, related_name="allocation")

    class Meta:
        ordering = ["period", "position"]
        constraints = [
            models.UniqueConstraint(fields=["period", "position"], name="allocation_position_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self):
        return f"{self.period} #{self.position}"


class CostKind(models.TextChoices):
    AGENCY_FEE = "agency_fee", _("Agency production fee")
    CREATOR_FEE = "creator_fee", _("Creator fee")
    PRODUCTION = "production", _("Production costs")
    BOOST = "boost", _("Paid boost")
    OTHER = "other", _("Other")


class CostStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    COMMITTED = "committed", _("Committed")
    INVOICED = "invoiced", _("Invoiced")
    PAID = "paid", _("Paid")


# planned → committed → invoiced → paid: forward only, never back; a step may be skipped (a cost paid at once).
COST_FLOW = [CostStatus.PLANNED, CostStatus.COMMITTED, CostStatus.INVOICED, CostStatus.PAID]
COMMITTED = (CostStatus.COMMITTED, CostStatus.INVOICED, CostStatus.PAID)  # counts against the budget


class CostLineQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        """The budget's readers see every line of their organisation; an agency only the lines it supplies."""
        if grants(membership, Capability.VIEW_BUDGET):
            return Q(period__organisation_id=membership.organisation_id)
        if grants(membership, Capability.PRODUCE_CONTENT) and membership.agency_id:
            return Q(period__organisation_id=membership.organisation_id, agency_id=membership.agency_id)
        return NOTHING


class CostLine(models.Model):
    period = models.ForeignKey(BudgetPeriod, on_delete=models.PROTECT, related_name="cost_lines")
    brief = models.ForeignKey(
        Brief,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_lines",
        verbose_name=_("brief"),
        help_text=_("Empty: overhead of the period."),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_lines",
        verbose_name=_("agency"),
        help_text=_("When the agency is the supplier: its people see this line."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CostKind.choices)
    supplier = models.CharField(_("supplier"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount_excl_vat = models.DecimalField(_("amount excl. VAT"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=CostStatus.choices, default=CostStatus.PLANNED)
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    # The spend-over-time chart counts a cost from the day it was committed (the order or agreement), its
    # invoice from the invoice date and its payment from the day it was paid: three series, not one.
    committed_on = models.DateField(_("committed on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    overrun_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CostLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["period", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_excl_vat__gte=0), name="cost_amount_not_negative"),
            models.CheckConstraint(condition=Q(vat_amount__gte=0), name="cost_vat_not_negative"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="cost_vat_rate_0_100"),
            # An invoiced or paid line names its invoice.
            models.CheckConstraint(
                condition=Q(status__in=[CostStatus.PLANNED, CostStatus.COMMITTED])
                | (~Q(invoice_number="") & Q(invoice_date__isnull=False)),
                name="cost_invoice_when_invoiced",
            ),
            models.CheckConstraint(
                condition=Q(status=CostStatus.PLANNED) | Q(committed_on__isnull=False),
                name="cost_committed_has_its_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=CostStatus.PAID) | Q(paid_on__isnull=False), name="cost_paid_has_its_date"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_excl_vat}"

    @property
    def amount_incl_vat(self) -> Decimal:
        return self.amount_excl_vat + self.vat_amount

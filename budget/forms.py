import datetime as dt

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Channel
from content.models import Brief, BriefStatus
from core.forms import DateInput

from .models import BudgetPeriod, CostLine, CostStatus


class PeriodForm(forms.ModelForm):
    class Meta:
        model = BudgetPeriod
        fields = ["name", "channel", "starts_on", "ends_on", "amount_excl_vat", "vat_rate", "planned_posts"]
        widgets = {"starts_on": DateInput, "ends_on": DateInput}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["channel"].queryset = Channel.objects.filter(organisation=organisation)
        if not self.instance.pk:
            self.initial.setdefault("vat_rate", organisation.vat_rate)
        self.fields["amount_excl_vat"].help_text = _("In %(currency)s, excluding VAT.") % {
            "currency": organisation.currency
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", _("The period ends before it starts."))
        return cleaned


# A brief posted or cancelled this long before a period still takes its costs there: the invoice for a December
# post arrives in January.
LATE_INVOICE_DAYS = 92


def chargeable_briefs(period):
    """The briefs a new cost line of ``period`` may be for: those made by the period's end that are still under
    way, or were posted or cancelled in the period or shortly before it. Not every brief of the organisation's
    years: a busy channel has thousands, and the choice list is for the ones a cost can belong to."""
    zone = period.organisation.zone
    starts = dt.datetime.combine(period.starts_on - dt.timedelta(days=LATE_INVOICE_DAYS), dt.time.min, tzinfo=zone)
    ends = dt.datetime.combine(period.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    briefs = Brief.objects.filter(organisation=period.organisation, created_at__lt=ends).filter(
        ~Q(status__in=(BriefStatus.POSTED, BriefStatus.CANCELLED)) | Q(updated_at__gte=starts)
    )
    if period.channel_id:
        briefs = briefs.filter(channel=period.channel)
    return briefs.order_by("-updated_at")


class CostLineForm(forms.ModelForm):
    status = forms.ChoiceField(label=_("Status"), choices=CostStatus.choices, initial=CostStatus.PLANNED)

    class Meta:
        model = CostLine
        fields = [
            "brief",
            "agency",
            "kind",
            "supplier",
            "description",
            "amount_excl_vat",
            "committed_on",
            "invoice_number",
            "invoice_date",
        ]
        widgets = {"invoice_date": DateInput, "committed_on": DateInput}

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.period = period
        self.fields["brief"].queryset = chargeable_briefs(period)
        self.fields["agency"].queryset = Agency.objects.filter(organisations=period.organisation)
        self.fields["agency"].help_text = _("When one of your agencies is the supplier: its people see this line.")
        self.fields["supplier"].required = False
        self.fields["supplier"].help_text = _("Only for a supplier that is not one of your agencies.")
        self.fields["committed_on"].help_text = _(
            "The date of the order or agreement; empty: today. The spend chart counts the cost from this month."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agency"):
            cleaned["supplier"] = cleaned["agency"].name  # the agency is the supplier, by its own name
        elif not (cleaned.get("supplier") or "").strip():
            self.add_error("supplier", _("Choose the agency, or name the supplier."))
        return cleaned

    def clean_amount_excl_vat(self):
        amount = self.cleaned_data["amount_excl_vat"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("An amount can't be negative."))
        return amount

    def _post_clean(self):
        # VAT and the creator are set by the service; validate the rest here.
        self.instance.vat_rate = self.instance.period.vat_rate
        self.instance.vat_amount = 0
        super()._post_clean()


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CostStatus.choices)
    invoice_number = forms.CharField(label=_("Invoice number"), required=False, max_length=50)
    invoice_date = forms.DateField(label=_("Invoice date"), required=False, widget=DateInput)
    on = forms.DateField(
        label=_("Date of this step"),
        required=False,
        widget=DateInput,
        help_text=_("When it was committed or paid; empty: today."),
    )


class OverrideForm(forms.Form):
    position = forms.IntegerField(label=_("Post number"), min_value=1)
    amount = forms.DecimalField(label=_("Planned amount"), min_value=0, max_digits=12, decimal_places=2)

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Channel
from content.models import Brief
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
            "invoice_number",
            "invoice_date",
        ]
        widgets = {"invoice_date": DateInput}

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.period = period
        briefs = Brief.objects.filter(organisation=period.organisation)
        if period.channel_id:
            briefs = briefs.filter(channel=period.channel)
        self.fields["brief"].queryset = briefs.order_by("-updated_at")
        self.fields["agency"].queryset = Agency.objects.filter(organisations=period.organisation)

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


class OverrideForm(forms.Form):
    position = forms.IntegerField(label=_("Post number"), min_value=1)
    amount = forms.DecimalField(label=_("Planned amount"), min_value=0, max_digits=12, decimal_places=2)

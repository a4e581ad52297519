"""The forms of disclosure requests: registering one, masking a passage, recording the decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, DateRangeForm

from . import provisions
from .models import DisclosureRequest


class RequestForm(DateRangeForm):
    """Who asked, when and what; the period whose briefs are gathered."""

    requester = forms.CharField(
        label=_("Who asked"), max_length=200, help_text=_("A name, or a newspaper, or 'anonymous': no one has to say.")
    )
    requester_contact = forms.CharField(
        label=_("How to reach them"), max_length=254, required=False, help_text=_("E-mail or postal address.")
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    subject = forms.CharField(label=_("What is asked for"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["requester", "requester_contact", "received_on", "subject", "start", "end"]

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["start"].help_text = _("The documents gathered are the briefs made in this period.")

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received > self.today:
            raise forms.ValidationError(_("A request can't be received in the future."))
        return received


class MaskForm(forms.Form):
    passage = forms.CharField(
        label=_("Passage to mask"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Copy it from one paragraph of a document, as it is written there. It is masked wherever it occurs."
        ),
    )
    provision = forms.ChoiceField(label=_("Provision"))
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The decision lists it: say why the provision applies here."),
    )
    brief = forms.ModelChoiceField(
        label=_("In the documents of"), queryset=None, required=False, empty_label=_("every brief of the request")
    )

    def __init__(self, *args, request: DisclosureRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].choices = [("", _("Choose a provision")), *provisions.choices(request.jurisdiction)]
        self.fields["brief"].queryset = request.briefs.order_by("number")
        self.fields["brief"].label_from_instance = lambda brief: f"{brief.reference}: {brief.title}"


class DecideForm(forms.Form):
    note = forms.CharField(
        label=_("Decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: released with three passages masked; sent by e-mail on this date."),
    )

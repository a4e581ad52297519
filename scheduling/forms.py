from django import forms
from django.utils.translation import gettext_lazy as _

from core import dates
from core.forms import DateInput

from .models import Weekday


class CadenceForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Posting days"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one posting day.")},
    )
    local_time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    min_posts_per_week = forms.IntegerField(label=_("Minimum posts per week"), min_value=1, max_value=21)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The cadence ends before it starts."))
        return cleaned


class SlotAddForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        help_text=_("In the organisation's time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class WindowReasonMixin:
    """A slot outside the brief's posting window takes a reason: the field appears once the service has said so
    (or when it was filled in before), so the usual case stays one choice and one button."""

    def ask_window_reason(self, message=None):
        self.fields["window_reason"] = forms.CharField(
            label=_("Why outside the posting window"),
            help_text=_("Kept in the audit trail with the change."),
            max_length=500,
            required=False,
            # Asked after a refusal: the page opens at the field (on a phone it is far below the top).
            widget=forms.Textarea(attrs={"rows": 2, "autofocus": message is not None}),
        )
        if message is not None and self.is_bound:
            self.add_error("window_reason", message)

    def window_reason(self) -> str:
        return self.cleaned_data.get("window_reason", "") if "window_reason" in self.fields else ""


class SlotFillForm(WindowReasonMixin, forms.Form):
    brief = forms.ModelChoiceField(
        label=_("Brief"),
        queryset=None,
        help_text=_("Its approved video goes in the slot; a brief still in the making reserves it."),
    )

    def __init__(self, *args, briefs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brief"].queryset = briefs
        if self.is_bound and "window_reason" in self.data:
            self.ask_window_reason()


class SlotChoiceField(forms.ModelChoiceField):
    """A slot by its weekday, date and time in the organisation's zone ("Thursday 10 December 2026, 16:00")."""

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def label_from_instance(self, slot):
        return dates.moment(slot.starts_at, "long", self.zone)


class SlotMoveForm(WindowReasonMixin, forms.Form):
    target = SlotChoiceField(label=_("Move to"), queryset=None, help_text=_("The free slots near this one."))

    def __init__(self, *args, targets, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].zone = zone
        if self.is_bound and "window_reason" in self.data:
            self.ask_window_reason()

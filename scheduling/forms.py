from django import forms
from django.utils.translation import gettext_lazy as _

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


class SlotFillForm(forms.Form):
    brief = forms.ModelChoiceField(
        label=_("Brief"),
        queryset=None,
        help_text=_("Its approved video goes in the slot; a brief still in the making reserves it."),
    )

    def __init__(self, *args, briefs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brief"].queryset = briefs


class SlotMoveForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Move to"), queryset=None)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets

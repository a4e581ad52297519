"""Form building blocks every app shares: the NL Design System renderer, the date picker, a date range."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class PlannerFormRenderer(TemplatesSetting):
    """Every form, Django's auth forms included, renders with the NL Design System markup."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class DateInput(forms.DateInput):
    """The browser's date picker, which takes and gives ISO dates whatever the page's language (a localised
    value such as 01-11-2026 would show as an empty field)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class DateRangeForm(forms.Form):
    """A period from a start to an end date, both required unless a subclass says otherwise; the end may
    not lie before the start."""

    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("Until"), widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError(_("The period must start before it ends."), code="reversed")
        return cleaned

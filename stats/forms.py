from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, DateRangeForm

from . import imports


class _AsOf(forms.Form):
    as_of = forms.DateField(
        label=_("Figures as of"),
        widget=DateInput,
        help_text=_("The day the figures were read off TikTok Studio."),
    )

    def __init__(self, *args, organisation, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = organisation.zone
        self.now = now
        self.today = timezone.localdate(now, self.zone)
        self.fields["as_of"].initial = self.today

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day > self.today:
            raise forms.ValidationError(_("Figures cannot be from a day still to come."))
        return day

    def captured_at(self) -> datetime:
        """Today's figures count as read now; an earlier day's as read at the end of that day."""
        day = self.cleaned_data["as_of"]
        if day == self.today:
            return self.now
        return datetime.combine(day, time(23, 0), tzinfo=self.zone)


class StudioImportForm(_AsOf):
    file = forms.FileField(
        label=_("Analytics export (CSV)"),
        help_text=_(
            "One row per video with the columns video id (or video link), views, likes, comments and shares. "
            "Other columns are ignored."
        ),
    )
    field_order = ["file", "as_of"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB; export a shorter period."))
        return upload


class FiguresForm(_AsOf):
    views = forms.IntegerField(label=_("Views"), min_value=0)
    likes = forms.IntegerField(label=_("Likes"), min_value=0)
    comments = forms.IntegerField(label=_("Comments"), min_value=0)
    shares = forms.IntegerField(label=_("Shares"), min_value=0)

    def figures(self) -> dict:
        return {key: self.cleaned_data[key] for key in imports.FIGURES}


class PeriodForm(DateRangeForm):
    """The results' period, from the query string. Without one: ``default`` (the running budget period or
    the last six months); an empty start or end means "since the first post" or "up to today"."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput)

    def __init__(self, data=None, *, default, **kwargs):
        # A query string without the period's fields (e.g. only ?channel=) still opens on the default.
        if data is not None and not {"start", "end"} & set(data):
            data = None
        super().__init__(data, initial={"start": default.start, "end": default.end}, **kwargs)
        self.default = default

    def period(self) -> tuple:
        if not self.is_bound or not self.is_valid():
            return self.default.start, self.default.end
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")

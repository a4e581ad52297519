"""The archive's forms: which post or campaign to package, the retention terms, and a decision on a destruction list.
They check what a field can check alone; the services check the rest."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from content.models import Posting, Topic

from .models import RetentionKind
from .retention import MAX_YEARS


class PackageForm(forms.Form):
    posting = forms.ModelChoiceField(
        label=_("A post"), queryset=Posting.objects.none(), required=False, empty_label=_("No post chosen")
    )
    topic = forms.ModelChoiceField(
        label=_("Or a campaign (a topic: all its posts)"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("No campaign chosen"),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        postings = Posting.objects.visible_to(membership).select_related("brief").order_by("-posted_at", "-pk")
        self.fields["posting"].queryset = postings
        self.fields["posting"].label_from_instance = lambda posting: (
            f"{posting.brief.reference} {posting.brief.title} ({posting.posted_at:%Y-%m-%d})"
        )
        self.fields["topic"].queryset = (
            Topic.objects.visible_to(membership).filter(briefs__posting__isnull=False).distinct().order_by("name")
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("posting")) == bool(data.get("topic")):
            raise ValidationError(_("Choose a post or a campaign (one of them)."))
        return data


class RetentionForm(forms.Form):
    """Per kind of record: a number of years, or kept permanently."""

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in RetentionKind:
            term = terms[kind]
            self.fields[f"{kind}_permanent"] = forms.BooleanField(
                label=_("%(record)s: keep permanently") % {"record": kind.label},
                required=False,
                initial=term.permanent,
            )
            self.fields[f"{kind}_years"] = forms.IntegerField(
                label=_("%(record)s: years") % {"record": kind.label},
                required=False,
                min_value=1,
                max_value=MAX_YEARS,
                initial=term.years,
                help_text=_("Left empty when kept permanently."),
            )

    def clean(self):
        data = super().clean()
        for kind in RetentionKind:
            if data.get(f"{kind}_permanent") and data.get(f"{kind}_years"):
                self.add_error(
                    f"{kind}_years", _("Either tick “keep permanently” or give a number of years, not both.")
                )
            elif (
                not data.get(f"{kind}_permanent")
                and not data.get(f"{kind}_years")
                and not self.has_error(f"{kind}_years")
            ):
                self.add_error(f"{kind}_years", _("Give a number of years, or tick “keep permanently”."))
        return data

    def terms(self) -> dict[str, int | None]:
        return {
            kind.value: None if self.cleaned_data[f"{kind}_permanent"] else self.cleaned_data[f"{kind}_years"]
            for kind in RetentionKind
        }


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you refuse the list: say why."),
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Verdict


class DecisionForm(forms.Form):
    """An approver's decision on the current step of one run, bound to the exact version and step."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(label=_("Your decision"), choices=Verdict.choices, widget=forms.RadioSelect)
    constraints = forms.MultipleChoiceField(
        label=_("Constraints met"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every constraint of the brief that this version meets; all are needed to approve."),
    )
    comment = forms.CharField(
        label=_("Feedback"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you request changes or reject."),
    )

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run
        self.prefix = f"run{run.pk}"
        self.fields["constraints"].choices = [(str(c.pk), c.text) for c in run.brief.constraints.all()]
        self.initial.update(version=run.version.number, step=run.current_position)

    def checked_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("constraints", [])]

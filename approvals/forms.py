import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from content import publication
from content.models import PublicationRules

from .models import Stage, Verdict

CHECK = "check:"  # the value of a tick for something checked in the video, beside the brief's constraint ids
MOMENT = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,4})\s*$")  # "0:03", "1:20" or seconds ("3")


class DecisionForm(forms.Form):
    """An approver's decision on the current step of one run, bound to the exact version and step.

    On the review page the verdict is one of three buttons and "all constraints are met" one tick, so approving
    takes two taps; the constraints can still be ticked one by one (for feedback on the ones not met)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(label=_("Your decision"), choices=Verdict.choices, widget=forms.RadioSelect)
    all_constraints = forms.BooleanField(required=False)
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
    at = forms.CharField(
        label=_("At which moment of the video (m:ss)"),
        required=False,
        max_length=8,
        help_text=_("Optional: the player jumps there from your feedback, e.g. 0:03."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "planner-short"}),
    )

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run
        self.prefix = f"run{run.pk}"
        constraints = [(str(c.pk), c.text) for c in run.brief.constraints.all()]
        # What the reviewer checks in the video itself (the files can't tell) counts as a constraint here.
        required = publication.required_checks(run.version, PublicationRules.of(run.brief.organisation))
        constraints += [(CHECK + key, _(publication.CHECK_LABELS[key])) for key in required]
        self.fields["constraints"].choices = constraints
        self.fields["all_constraints"].label = ngettext_lazy(
            "The constraint is met", "All %(count)s constraints are met", len(constraints)
        ) % {"count": len(constraints)}
        self.initial.update(version=run.version.number, step=run.current_position)
        if run.stage != Stage.VIDEO:
            del self.fields["at"]

    def clean_at(self):
        value = self.cleaned_data.get("at", "")
        if not value.strip():
            return None
        match = MOMENT.match(value)
        if not match:
            raise forms.ValidationError(_("Give the moment as minutes:seconds, like 0:03."))
        seconds = int(match[1] or 0) * 60 + int(match[2])
        # Without the file's duration (a private preview link) the channel's longest allowed video is the bound.
        duration = getattr(self.run.version, "duration", None) or self.run.brief.channel.max_video_seconds
        if seconds > duration:
            shown = duration.normalize() if hasattr(duration, "normalize") else duration
            raise forms.ValidationError(
                _("The video lasts %(seconds)s seconds: give a moment within it.") % {"seconds": shown}
            )
        return seconds

    def clean(self):
        cleaned = super().clean()
        everything = {pk for pk, _label in self.fields["constraints"].choices}
        ticked = everything if cleaned.get("all_constraints") else set(cleaned.get("constraints") or [])
        if cleaned.get("verdict") == Verdict.APPROVE and not everything <= ticked:
            # At the tick itself, so it is marked invalid where the eye is (the service refuses it too).
            self.add_error(
                "all_constraints",
                _("To approve, every constraint must be met: tick this box, or each constraint one by one."),
            )
        return cleaned

    def _ticked(self) -> list[str]:
        if self.cleaned_data.get("all_constraints"):
            return [pk for pk, _label in self.fields["constraints"].choices]
        return list(self.cleaned_data.get("constraints", []))

    def checked_ids(self) -> list[int]:
        """The brief's constraints ticked."""
        return [int(pk) for pk in self._ticked() if not pk.startswith(CHECK)]

    def checked_checks(self) -> list[str]:
        """What the reviewer ticked as checked in the video itself (``content.publication.required_checks``)."""
        return [pk.removeprefix(CHECK) for pk in self._ticked() if pk.startswith(CHECK)]

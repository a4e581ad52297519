"""The settings' forms. They check what a field can check on its own; the services check the rest (a user name in
use, the last admin, a chain every review can go through) and their errors are put next to the fields."""

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.forms import fields_for_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Channel
from accounts.roles import Role
from approvals.models import StepMode
from content.models import PublicationRules
from core.forms import DateInput
from core.models import MailStatus

from .services import APPROVER_ROLES, CHANNEL_FIELDS, check_steps


def engaged_agencies(organisation):
    """The agencies that work for the organisation now (the only ones an admin may choose, or see)."""
    return Agency.objects.filter(
        agencyengagement__organisation=organisation, agencyengagement__is_active=True
    ).order_by("name")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("No agency"),
        help_text=_("Only for agency members: the agency this person works for."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = engaged_agencies(organisation)

    def clean(self):
        cleaned = super().clean()
        role, agency = cleaned.get("role"), cleaned.get("agency")
        if role == Role.AGENCY_MEMBER and agency is None and "agency" not in self.errors:
            self.add_error("agency", _("Choose the agency this person works for."))
        if role and role != Role.AGENCY_MEMBER and agency is not None:
            self.add_error("agency", _("Only agency members belong to an agency: choose “No agency”."))
        return cleaned


class PersonForm(RoleForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What they log in with: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("A link to choose a password is sent here, and later their notifications."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The organisation's language")), *settings.LANGUAGES],
        help_text=_("The language of their screens and e-mails."),
    )

    field_order = ["username", "first_name", "last_name", "email", "language", "role", "agency"]


class PeopleFilterForm(forms.Form):
    ACTIVE, ENDED, EVERYONE = "active", "ended", "all"
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(ACTIVE, _("Active memberships")), (ENDED, _("Ended memberships")), (EVERYONE, _("Everyone"))],
    )


class ChannelForm(forms.Form):
    """The channel's own fields, as the model labels and checks them one by one (the service checks the handle
    against the other channels and the limits against each other)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Channel, fields=CHANNEL_FIELDS))


class EngagementForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the agency"),
        max_length=200,
        help_text=_(
            "Type the name exactly. If an agency of that name already uses TikTok Planner, your organisation starts "
            "working with it; otherwise a new agency of that name is made."
        ),
    )
    since = forms.DateField(label=_("Works for you since"), widget=DateInput)


class StepForm(forms.Form):
    position = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        max_value=99,
        help_text=_("Steps are taken from the lowest number up."),
    )
    name = forms.CharField(label=_("Name of the step"), max_length=100)
    role = forms.ChoiceField(
        label=_("Approvers' role"),
        choices=[("", _("Choose a role")), *[(role.value, role.label) for role in APPROVER_ROLES]],
    )
    mode = forms.ChoiceField(label=_("Who must approve"), choices=StepMode.choices)
    topic_owner_only = forms.BooleanField(
        label=_("Only the topic's owner"),
        required=False,
        help_text=_("Only the communication adviser who owns the topic, not every adviser."),
    )
    sensitive_only = forms.BooleanField(
        label=_("Only for sensitive topics"),
        required=False,
        help_text=_("For example the legal department or the press office, for topics such as drugs or sex."),
    )


class BaseStepFormSet(forms.BaseFormSet):
    """The chain's steps, plus one empty form to add a step. A step is removed with its checkbox, moved with its
    position number; the positions become 1, 2, 3, … when saved."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this step")

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index >= self.initial_form_count():
            # The empty form to add a step: after the last one, and untouched unless someone fills it in.
            kwargs["initial"] = {"position": self.initial_form_count() + 1, "mode": StepMode.ANY}
        return kwargs

    def kept_forms(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form not in self.deleted_forms
        ]

    def steps(self) -> list[dict]:
        """The steps to keep, in the order of their positions."""
        ordered = sorted(self.kept_forms(), key=lambda form: form.cleaned_data["position"])
        return [
            {key: form.cleaned_data[key] for key in ("name", "role", "mode", "topic_owner_only", "sensitive_only")}
            for form in ordered
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        positions = [form.cleaned_data["position"] for form in self.kept_forms()]
        doubles = sorted({position for position in positions if positions.count(position) > 1})
        if doubles:
            raise forms.ValidationError(
                _("Two steps have position %(position)s: give each step its own number.") % {"position": doubles[0]}
            )
        check_steps(self.steps())


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=1, can_delete=True, can_delete_extra=False)


class MailFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Every status")), *MailStatus.choices]
    )


class PublicationRulesForm(forms.ModelForm):
    class Meta:
        model = PublicationRules
        fields = [
            "disclosure_text",
            "accessibility_required",
            "subtitle_max_chars_per_second",
            "subtitle_max_line_length",
            "subtitle_max_lines",
            "post_day_tolerance",
            "rights_warning_days",
        ]

"""The organisation's settings pages, for its organisation admins (``MANAGE_ORGANISATION`` in the current
organisation). Every object is looked up within ``request.organisation``, so another organisation's is a 404; every
change goes through ``administration.services``, which guards and audits it again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access, second_factor
from accounts.decorators import capability_required
from accounts.models import AgencyEngagement, Channel, Membership
from accounts.roles import Capability, Role
from approvals.models import Stage, StepMode, step_label
from audit.trail import Origin
from content.models import PublicationRules, default_disclosure
from core import outbox
from core.models import MailStatus, OutgoingMail
from core.pagination import paginate

from . import services
from .forms import (
    ChannelForm,
    EngagementForm,
    MailFilterForm,
    PeopleFilterForm,
    PersonForm,
    PublicationRulesForm,
    RoleForm,
    StepFormSet,
)

settings_page = capability_required(Capability.MANAGE_ORGANISATION)


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _refused(request, error: ValidationError) -> None:
    for message in _errors(error):
        messages.error(request, message)


@settings_page
def index(request):
    return render(request, "administration/index.html", {"organisation": request.organisation})


# --- People -----------------------------------------------------------------------------------------------------


def _membership(request, pk) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "agency", "organisation"), pk=pk, organisation=request.organisation
    )


@settings_page
def people(request):
    form = PeopleFilterForm(request.GET or None, initial={"status": PeopleFilterForm.ACTIVE})
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    status = status or PeopleFilterForm.ACTIVE
    memberships = (
        Membership.objects.filter(organisation=request.organisation)
        .select_related("user", "agency")
        .annotate(second_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)))
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username")
    )
    if status == PeopleFilterForm.ACTIVE:
        memberships = memberships.filter(is_active=True)
    elif status == PeopleFilterForm.ENDED:
        memberships = memberships.filter(is_active=False)
    return render(
        request,
        "administration/people.html",
        {"people": paginate(request, memberships), "form": form, "status": status},
    )


@settings_page
def person_add(request):
    form = PersonForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.person_add(
                actor=request.user,
                organisation=request.organisation,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                language=data["language"],
                role=data["role"],
                agency=data["agency"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s has been added as %(role)s. A mail with a link to choose a password is on its way to "
                    "%(email)s."
                )
                % {"name": membership.user, "role": membership.get_role_display(), "email": membership.user.email},
            )
            return redirect("settings_person", membership.pk)
    return render(request, "administration/person_add.html", {"form": form}, status=400 if form.errors else 200)


@settings_page
def person(request, pk):
    """A person's membership: their role here (the form), and what else can be done (end, reactivate, reset the
    second factor, send the password mail again)."""
    membership = _membership(request, pk)
    initial = {"role": membership.role, "agency": membership.agency}
    form = RoleForm(request.POST or None, organisation=request.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.membership_change_role(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                agency=form.cleaned_data["agency"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not changed:
                messages.info(
                    request, _("Nothing changed: %(name)s has this role already.") % {"name": membership.user}
                )
                return redirect("settings_person", membership.pk)
            membership.refresh_from_db()
            messages.success(
                request,
                _("%(name)s now works here as %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display()},
            )
            if not access.can(request.user, Capability.MANAGE_ORGANISATION, request.organisation):
                return redirect("home")  # they gave up their own admin role
            return redirect("settings_person", membership.pk)
    person = membership.user
    return render(
        request,
        "administration/person.html",
        {
            "membership": membership,
            "person": person,
            "form": form,
            "enrolled": second_factor.is_enrolled(person),
            "manages_account": access.may_administer_user(request.user, person),
            "has_password": person.has_usable_password(),
            "is_agency_role": membership.role == Role.AGENCY_MEMBER,
        },
        status=400 if form.errors else 200,
    )


@settings_page
@require_POST
def person_end(request, pk):
    membership = _membership(request, pk)
    today = timezone.localdate(timezone.now(), request.organisation.zone)
    try:
        switched_off = services.membership_end(
            actor=request.user, membership=membership, today=today, origin=Origin.from_request(request)
        )
    except ValidationError as error:
        _refused(request, error)
        return redirect("settings_person", membership.pk)
    messages.success(request, _("The membership of %(name)s has ended today.") % {"name": membership.user})
    if switched_off:
        messages.warning(
            request,
            _("%(user)s has no active membership, so the account is switched off until they get one.")
            % {"user": membership.user.get_username()},
        )
    if not access.can(request.user, Capability.MANAGE_ORGANISATION, request.organisation):
        return redirect("home")  # they ended their own membership
    return redirect("settings_person", membership.pk)


@settings_page
@require_POST
def person_reactivate(request, pk):
    membership = _membership(request, pk)
    try:
        switched_on = services.membership_reactivate(
            actor=request.user, membership=membership, origin=Origin.from_request(request)
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(name)s works here again as %(role)s.")
            % {"name": membership.user, "role": membership.get_role_display()},
        )
        if switched_on:
            messages.info(request, _("Their account is switched on again: they can log in."))
    return redirect("settings_person", membership.pk)


@settings_page
def person_second_factor(request, pk):
    """Reset a lost phone: a page that says what happens, and the button that does it."""
    membership = _membership(request, pk)
    if request.method == "POST":
        removed = services.person_reset_second_factor(actor=request.user, membership=membership, request=request)
        if removed:
            messages.success(
                request,
                _(
                    "The second factor of %(name)s is reset. They set up the authenticator app again at their next "
                    "log-in."
                )
                % {"name": membership.user},
            )
        else:
            messages.info(
                request,
                _("%(name)s had no second factor set up. They set it up at their next log-in.")
                % {"name": membership.user},
            )
        return redirect("settings_person", membership.pk)
    if not access.may_administer_user(request.user, membership.user):
        raise PermissionDenied
    return render(
        request,
        "administration/person_second_factor.html",
        {"membership": membership, "enrolled": second_factor.is_enrolled(membership.user)},
    )


@settings_page
@require_POST
def person_password_mail(request, pk):
    membership = _membership(request, pk)
    try:
        services.person_send_password_mail(
            actor=request.user, membership=membership, origin=Origin.from_request(request)
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("A new mail with a link to choose a password is on its way to %(email)s.")
            % {"email": membership.user.email},
        )
    return redirect("settings_person", membership.pk)


# --- Channels ---------------------------------------------------------------------------------------------------


@settings_page
def channels(request):
    return render(
        request,
        "administration/channels.html",
        {"channels": Channel.objects.filter(organisation=request.organisation).order_by("handle")},
    )


@settings_page
def channel_add(request):
    form = ChannelForm(
        request.POST or None, initial={"is_active": True, "min_video_seconds": 3, "max_video_seconds": 60}
    )
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_add(
                actor=request.user,
                organisation=request.organisation,
                fields=form.cleaned_data,
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The channel %(channel)s has been added.") % {"channel": channel})
            return redirect("settings_channels")
    return render(
        request, "administration/channel_form.html", {"form": form, "channel": None}, status=400 if form.errors else 200
    )


@settings_page
def channel_edit(request, pk):
    channel = get_object_or_404(Channel, pk=pk, organisation=request.organisation)
    initial = {field: getattr(channel, field) for field in services.CHANNEL_FIELDS}
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.channel_update(
                actor=request.user, channel=channel, fields=form.cleaned_data, origin=Origin.from_request(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            channel.refresh_from_db()
            if changes:
                messages.success(request, _("The channel %(channel)s has been saved.") % {"channel": channel})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("settings_channels")
    return render(
        request,
        "administration/channel_form.html",
        {"form": form, "channel": channel},
        status=400 if form.errors else 200,
    )


# --- Publication rules ------------------------------------------------------------------------------------------


@settings_page
def publication_rules(request):
    rules = PublicationRules.of(request.organisation)
    # The form edits a copy: the service saves (and audits) the change under its lock.
    form = PublicationRulesForm(request.POST or None, instance=PublicationRules.of(request.organisation))
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.publication_rules_save(
                actor=request.user,
                organisation=request.organisation,
                fields=form.cleaned_data,
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changes:
                messages.success(request, _("The publication rules have been saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("settings_index")
    return render(
        request,
        "administration/publication_rules.html",
        {"form": form, "default_disclosure": default_disclosure(request.organisation), "rules": rules},
        status=400 if form.errors else 200,
    )


# --- Agencies ---------------------------------------------------------------------------------------------------


@settings_page
def agencies(request):
    today = timezone.localdate(timezone.now(), request.organisation.zone)
    form = EngagementForm(request.POST or None, initial={"since": today})
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.agency_engage(
                actor=request.user,
                organisation=request.organisation,
                name=form.cleaned_data["name"],
                since=form.cleaned_data["since"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(agency)s now works for your organisation.") % {"agency": engagement.agency.name}
            )
            return redirect("settings_agencies")
    engagements = (
        AgencyEngagement.objects.filter(organisation=request.organisation)
        .select_related("agency")
        .order_by("-is_active", "agency__name")
    )
    return render(
        request,
        "administration/agencies.html",
        {"engagements": engagements, "form": form},
        status=400 if form.errors else 200,
    )


def _engagement(request, pk) -> AgencyEngagement:
    return get_object_or_404(
        AgencyEngagement.objects.select_related("agency"), pk=pk, organisation=request.organisation
    )


@settings_page
@require_POST
def engagement_end(request, pk):
    engagement = _engagement(request, pk)
    try:
        still_active = services.engagement_end(
            actor=request.user, engagement=engagement, origin=Origin.from_request(request)
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("%(agency)s no longer works for your organisation.") % {"agency": engagement.agency.name}
        )
        if still_active:
            messages.warning(
                request,
                ngettext(
                    "%(count)d person of this agency still has an active membership here: end it under People if "
                    "they no longer work for you.",
                    "%(count)d people of this agency still have an active membership here: end them under People if "
                    "they no longer work for you.",
                    still_active,
                )
                % {"count": still_active},
            )
    return redirect("settings_agencies")


@settings_page
@require_POST
def engagement_resume(request, pk):
    engagement = _engagement(request, pk)
    try:
        services.engagement_resume(actor=request.user, engagement=engagement, origin=Origin.from_request(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("%(agency)s works for your organisation again.") % {"agency": engagement.agency.name}
        )
    return redirect("settings_agencies")


# --- Approval chains --------------------------------------------------------------------------------------------


def _labelled(steps: list[dict]) -> list[dict]:
    """Steps as people read them: the name in their language (a default step's), the role and mode in words."""
    return [
        step
        | {
            "position": position,
            "label": step_label(step["name"]),
            "role_label": Role(step["role"]).label,
            "mode_label": StepMode(step["mode"]).label,
        }
        for position, step in enumerate(steps, start=1)
    ]


@settings_page
def chains(request):
    stages = []
    for stage in Stage:
        steps, own = services.current_steps(request.organisation, stage)
        stages.append({"stage": stage, "steps": _labelled(steps), "own": own})
    return render(request, "administration/chains.html", {"stages": stages})


@settings_page
def chain_edit(request, stage):
    if stage not in Stage.values:
        raise Http404
    stage = Stage(stage)
    steps, own = services.current_steps(request.organisation, stage)
    initial = [step | {"position": position} for position, step in enumerate(steps, start=1)]
    formset = StepFormSet(request.POST or None, initial=initial, prefix="steps")
    refusals = []  # what the service refused, beside the formset's own errors
    if request.method == "POST" and formset.is_valid():
        try:
            chain = services.approval_chain_save(
                actor=request.user,
                organisation=request.organisation,
                stage=stage,
                steps=formset.steps(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            refusals = _errors(error)
        else:
            if chain is None:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(
                    request,
                    _("The approval steps for the %(stage)s are saved. Reviews started from now on follow them.")
                    % {"stage": stage.label.lower()},
                )
            return redirect("settings_chains")
    invalid = request.method == "POST"  # a valid POST has been redirected above
    return render(
        request,
        "administration/chain_form.html",
        {"formset": formset, "stage": stage, "own": own, "refusals": refusals},
        status=400 if invalid else 200,
    )


# --- Mail -------------------------------------------------------------------------------------------------------


@settings_page
def mail(request):
    form = MailFilterForm(request.GET or None)
    mails = OutgoingMail.objects.filter(organisation=request.organisation).order_by("-created_at", "-pk")
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    if status:
        mails = mails.filter(status=status)
    page = paginate(request, mails.defer("body", "details"))
    page.object_list = list(page.object_list)
    for item in page.object_list:
        item.what = outbox.KINDS.get(item.kind, item.kind)
    return render(
        request,
        "administration/mail.html",
        {"mails": page, "form": form, "status": status, "failed": MailStatus.FAILED},
    )


@settings_page
@require_POST
def mail_send_again(request, pk):
    mail = get_object_or_404(OutgoingMail.objects.defer("body"), pk=pk, organisation=request.organisation)
    try:
        services.mail_send_again(actor=request.user, mail=mail, now=timezone.now(), origin=Origin.from_request(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The mail to %(to)s will be sent again.") % {"to": mail.to})
    next_url = request.POST.get("next", "")
    if next_url.startswith(reverse("settings_mail")):
        return redirect(next_url)
    return redirect("settings_mail")

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import counters, outbox

from . import access, signals
from . import second_factor as second_factor_service
from .client_address import client_address
from .decorators import capability_required
from .forms import AccountSettingsForm, EnrolmentForm, SecondFactorForm
from .middleware import CURRENT_ORGANISATION_SESSION_KEY
from .models import Channel
from .roles import Capability


@capability_required(Capability.VIEW_ORGANISATION)
def organisation_detail(request):
    organisation = request.organisation
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "channels": Channel.objects.visible_to(request.membership),
            "engagements": organisation.agencyengagement_set.select_related("agency").order_by("agency__name"),
            "colleagues": access.colleagues_for(request.user, organisation),
            "can_view_people": access.has_capability(request.membership, Capability.VIEW_PEOPLE),
        },
    )


@login_required
def channel_detail(request, pk):
    channel = get_object_or_404(Channel.objects.visible_to_user(request.user), pk=pk)
    return render(request, "accounts/channel_detail.html", {"channel": channel})


@login_required
def account_settings(request):
    old_email = request.user.email
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        if "email" in form.changed_data and old_email:
            # Told at the old address: if someone else changed it, the owner still hears of it.
            _tell_the_owner(request.user, old_email, "email")
        if form.changed_data:
            signals.account_changed.send(
                sender=request.user.__class__, user=request.user, request=request, fields=sorted(form.changed_data)
            )
        messages.success(request, _("Your settings have been saved."))
        return redirect("account_settings")
    enrolled = second_factor_service.is_enrolled(request.user)
    return render(request, "accounts/account_settings.html", {"form": form, "second_factor_enrolled": enrolled})


@login_required
@require_POST
def switch_organisation(request):
    """Make another of the user's organisations the current one."""
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404 from None
    membership = access.membership_in(request.user, organisation_id)
    if membership is None:
        raise Http404
    request.session[CURRENT_ORGANISATION_SESSION_KEY] = membership.organisation_id
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "home"
    return redirect(next_url)


RECOVERY_CODES_SESSION_KEY = "second_factor_new_recovery_codes"


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("home")


@login_required
def second_factor(request):
    """The second step of a log-in: a code from the authenticator app, or a recovery code."""
    if not second_factor_service.is_enrolled(request.user):
        return redirect("second_factor_setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_service.verify(request, form.cleaned_data["token"]):
            return redirect(_next_url(request))
        # A wrong code counts towards the lock-out like a wrong password (django-axes).
        credentials = {"username": request.user.get_username()}
        user_login_failed.send(sender=second_factor_service.__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, "registration/locked_out.html", status=429)
        form.add_error("token", _("That code is not right. Wait for the next code in the app and try again."))
    return render(
        request,
        "registration/second_factor.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@login_required
def second_factor_setup(request):
    """Enrolment, the first time: add TikTok Planner to an authenticator app, then type its first code."""
    if second_factor_service.is_enrolled(request.user):
        return redirect("second_factor")
    device = second_factor_service.pending_app_device(request.user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor_service.confirm(request, device, form.cleaned_data["token"])
        if codes is not None:
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{reverse('second_factor_recovery_codes')}?{query}")
        form.add_error("token", _("That code is not right. Check that the app's time is correct and try again."))
    return render(
        request,
        "registration/second_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(second_factor_service.qr_svg(device)),  # noqa: S308 - segno's own SVG markup
            "secret": second_factor_service.secret_in_groups(device),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=400 if form.errors else 200,
    )


@login_required
def second_factor_recovery_codes(request):
    """New recovery codes, shown once (after enrolling, or after asking for new ones)."""
    if not request.user.is_verified():
        return redirect("second_factor")
    if request.method == "POST":
        request.session[RECOVERY_CODES_SESSION_KEY] = second_factor_service.new_recovery_codes(request.user)
        messages.success(request, _("You have new recovery codes; the old ones no longer work."))
        return redirect("second_factor_recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if codes is None:
        return redirect("account_settings")
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": request.GET.get("next") or ""})


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        signals.password_changed.send(sender=self.request.user.__class__, user=self.request.user, request=self.request)
        _tell_the_owner(self.request.user, self.request.user.email, "password")
        return response


def _tell_the_owner(user, address: str, what: str) -> None:
    """A mail about a change to the account's e-mail address or password (ASVS: the owner hears of it)."""
    membership = user.memberships.filter(is_active=True).select_related("organisation").first()
    outbox.send(
        kind="account.changed",
        template="registration/email/account_changed",
        context={"person": user, "what": what, "new_email": user.email},
        person=user,
        address=address,
        organisation=membership.organisation if membership else None,
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, its mail queued in the outbox like every other (a mail server that is down doesn't
    turn the page into an error; the link goes out when it is back)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        outbox.queue(
            kind="account.password_reset",
            to=to_email,
            subject=render_to_string(subject_template_name, context),
            body=render_to_string(email_template_name, context),
            recipient=context.get("user"),
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, with a limit on the mails: three per address and twenty per client address an hour. Past
    the limit the page says the same ("if the address is known, a mail is on its way") and sends nothing, so it
    neither floods an inbox nor tells whether an address exists."""

    PER_ADDRESS, PER_CLIENT = 3, 20
    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        client = client_address(self.request)
        signals.password_reset_requested.send(sender=self.__class__, email=email, request=self.request)
        too_many_for_address = counters.over(f"reset-mail-{email}", self.PER_ADDRESS, 3600)
        too_many_from_client = counters.over(f"reset-client-{client}", self.PER_CLIENT, 3600)
        if too_many_for_address or too_many_from_client:
            return redirect(self.get_success_url())
        return super().form_valid(form)

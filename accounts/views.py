from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access
from .decorators import capability_required
from .forms import AccountSettingsForm
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
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings have been saved."))
        return redirect("account_settings")
    return render(request, "accounts/account_settings.html", {"form": form})


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

"""Mails of the budget's hand-over: a proposed period (new, or changed after its approval) waits for the MT.
Queued through the outbox in the service's transaction, like the brief's (``content.notifications``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts import access
from accounts.roles import Capability
from core import outbox

from .models import BudgetPeriod, PeriodStatus


def period_url(period) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("budget_dashboard") + f"?period={period.pk}"


def period_proposed(period, *, actor, event) -> int:
    """The people who approve budgets (the MT) hear that ``period`` waits for their decision."""
    return outbox.send_each(
        access.people_with(period.organisation, Capability.APPROVE_BUDGET),
        leave_out=actor,
        key=f"budget.proposed:{event.pk}",
        kind="budget.proposed",
        template="budget/email/proposed",
        context={"period": period, "url": period_url(period), "actor": actor},
        organisation=period.organisation,
        details={"period": period.pk},
    )


@outbox.still_needed("budget.proposed")
def _still_proposed(mail) -> bool:
    """Once the MT decided (or the period closed), the mail is no news."""
    return BudgetPeriod.objects.filter(pk=mail.details.get("period"), status=PeriodStatus.PROPOSED).exists()

"""Mails of the budget's hand-over: a proposed period (new, or changed after its approval) waits for the MT.
Queued through the outbox in the service's transaction, like the brief's (``content.notifications``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts.roles import Capability
from content.notifications import people_who_may
from core import outbox

from .models import BudgetPeriod, PeriodStatus


def period_url(period) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("budget_dashboard") + f"?period={period.pk}"


def period_proposed(period, *, actor, event) -> int:
    """The people who approve budgets (the MT) hear that ``period`` waits for their decision."""
    queued = 0
    for person in people_who_may(period.organisation, Capability.APPROVE_BUDGET):
        if actor is not None and person.pk == actor.pk:
            continue
        mail = outbox.send(
            kind="budget.proposed",
            template="budget/email/proposed",
            context={"period": period, "url": period_url(period), "actor": actor},
            person=person,
            organisation=period.organisation,
            key=f"budget.proposed:{event.pk}:{person.pk}",
            details={"period": period.pk},
        )
        queued += mail is not None
    return queued


@outbox.still_needed("budget.proposed")
def _still_proposed(mail) -> bool:
    """Once the MT decided (or the period closed), the mail is no news."""
    return BudgetPeriod.objects.filter(pk=mail.details.get("period"), status=PeriodStatus.PROPOSED).exists()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    """Budget periods, per-post plans, cost lines and the MT dashboard (built in the budget issue)."""

    name = "budget"
    verbose_name = _("Budget")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    """Budget periods, per-post plans, cost lines and the MT dashboard."""

    name = "budget"
    verbose_name = _("Budget")

    def ready(self):
        from core import hooks

        from . import notifications, panels  # noqa: F401 (notifications: its still_needed check, worker too)

        hooks.register("brief_panels", panels.brief_budget_panel, order=30)
        hooks.register("inbox_items", panels.periods_to_approve, order=10)
        hooks.register("results_panels", panels.results_budget_panel, order=10)
        hooks.register("results_period", panels.running_period, order=10)

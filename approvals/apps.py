from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Approval chains, their runs and decisions; submitting a version starts its review."""

    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from core import hooks

        from .panels import versions_panel

        hooks.register("brief_panels", versions_panel, order=10)

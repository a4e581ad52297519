from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Approval chains, their runs and decisions, and the audit trail (built in the workflow issue)."""

    name = "approvals"
    verbose_name = _("Approvals")

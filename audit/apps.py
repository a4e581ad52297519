from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The hash-chained audit trail that every app writes to, and its readers (timeline, verify_audit)."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from core import hooks

        from . import listeners  # noqa: F401 - connects the signal receivers
        from .admin_log import record_admin_changes

        hooks.register("admin_changes", record_admin_changes)

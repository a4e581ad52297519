from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The hash-chained audit trail that every app writes to, and its readers (timeline, verify_audit)."""

    name = "audit"
    verbose_name = _("Audit trail")

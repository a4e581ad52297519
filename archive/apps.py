from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    """Records law (Archiefwet, arkivlagen): archive packages per post and per campaign, the organisation's retention
    terms, and the destruction list it approves before anything is removed."""

    name = "archive"
    verbose_name = _("Archive")

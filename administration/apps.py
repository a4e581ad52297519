from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationConfig(AppConfig):
    """The organisation's settings for its organisation admins: people and their roles, channels, agencies, approval
    chains and the outgoing mail, as pages of the app (Django's admin is the operator's only)."""

    name = "administration"
    verbose_name = _("Organisation settings")

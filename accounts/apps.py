from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Organisations, their channels and agencies, people and their roles, and who may do what."""

    name = "accounts"
    verbose_name = _("Organisations and people")

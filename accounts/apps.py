from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Organisations, their channels and agencies, people and their roles, and who may do what."""

    name = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import lockout, sessions  # noqa: F401 - connect their signal receivers
        from .middleware import stamp_activity

        user_logged_in.connect(stamp_activity, dispatch_uid="idle-clock-starts-at-log-in")

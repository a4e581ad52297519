from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting web pieces: home page, language switch, health endpoint, formatting tags."""

    name = "core"
    verbose_name = _("Core")

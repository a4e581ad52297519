from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top of the house: each role's home page, the navigation, and the demo, which bring every app
    together (and which no app below imports)."""

    name = "home"
    verbose_name = _("Home")

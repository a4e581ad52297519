from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    """Disclosure under the Woo (and, in time, offentlighetsprincipen): names redacted, packages made."""

    name = "disclosure"
    verbose_name = _("Disclosure")

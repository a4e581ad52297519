from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    """Topics, briefs, creators, scripts, video versions and postings (built in the workflow issue)."""

    name = "content"
    verbose_name = _("Content")

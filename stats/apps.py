from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Engagement statistics from TikTok: the connection per channel, pulls, snapshots."""

    name = "stats"
    verbose_name = _("Engagement statistics")

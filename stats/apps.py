from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Engagement statistics from TikTok: the connection per channel, pulls, snapshots."""

    name = "stats"
    verbose_name = _("Engagement statistics")

    def ready(self):
        from core import hooks

        from . import panels, post_checks

        # A recorded post is checked against its approval; the brief page shows how it compares.
        hooks.register("brief_posted", post_checks.recorded_after_all)
        hooks.register("brief_panels", panels.post_check_panel, order=4)

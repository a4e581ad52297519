from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    """The posting calendar: cadence per channel, slots, channel health, holidays and the iCal feed."""

    name = "scheduling"
    verbose_name = _("Posting calendar")

    def ready(self):
        from accounts.sessions import access_ended

        from .services import feed_tokens_of_leaver_revoke

        def _revoke(sender, user, organisation, **kwargs):
            feed_tokens_of_leaver_revoke(user, organisation)

        access_ended.connect(_revoke, dispatch_uid="feed-tokens-of-a-leaver", weak=False)

        from core import hooks

        from . import followers, panels

        # Content and approvals ask when a brief is to be posted, and tell of the hand-overs the calendar follows.
        hooks.register("planned_postings", followers.planned_postings)
        hooks.register("video_approved", followers.reservation_fill)
        hooks.register("video_reopened", followers.reservation_unfill)
        hooks.register("brief_posted", followers.follow_posting)
        hooks.register("brief_panels", panels.handoff_panel, order=3)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Approval chains, their runs and decisions; submitting a version starts its review."""

    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from core import hooks

        from .panels import briefs_in_review, review_jump_panel, versions_panel, whereabouts

        hooks.register("brief_panels", versions_panel, order=10)
        hooks.register("brief_panels", review_jump_panel, order=5)
        hooks.register("brief_whereabouts", whereabouts)
        hooks.register("briefs_in_review", briefs_in_review)

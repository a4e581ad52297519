from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    """The posting calendar: cadence per channel, slots, channel health, holidays and the iCal feed."""

    name = "scheduling"
    verbose_name = _("Posting calendar")

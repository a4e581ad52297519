"""The posting calendar. Times are stored in UTC and shown in the organisation's time zone; a cadence
says "Tuesdays and Thursdays at 16:00 local time", so slots keep their local hour across DST."""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Channel
from accounts.roles import Capability
from accounts.scoping import NOTHING, ScopedQuerySet, grants
from content.models import Brief, VideoVersion


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Cadence(models.Model):
    """When a channel posts: days and local times, a weekly minimum, and the period it holds for."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="cadences")
    min_posts_per_week = models.PositiveSmallIntegerField(
        _("minimum posts per week"), default=2, validators=[MinValueValidator(1), MaxValueValidator(21)]
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("cadence")
        verbose_name_plural = _("cadences")
        ordering = ["channel", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="cadence_period_ordered",
            ),
            models.CheckConstraint(condition=Q(min_posts_per_week__gte=1), name="cadence_minimum_positive"),
        ]

    def __str__(self):
        return f"{self.channel} · {self.valid_from}"


class CadenceTime(models.Model):
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="times")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    local_time = models.TimeField(_("time"))

    class Meta:
        ordering = ["weekday", "local_time"]
        constraints = [
            models.UniqueConstraint(fields=["cadence", "weekday", "local_time"], name="cadence_time_unique"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.local_time:%H:%M}"


class SlotQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        if not grants(membership, Capability.VIEW_CALENDAR):
            return NOTHING
        return Q(channel__organisation_id=membership.organisation_id, channel__is_active=True)


class Slot(models.Model):
    """A moment to post on a channel: from the cadence, or added ad hoc (an urgent message).

    A slot may be reserved for a brief that is still being made; only an approved video can be put
    in it. A brief, and a video, take at most one slot (unique keys)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("time"))
    cadence = models.ForeignKey(Cadence, on_delete=models.SET_NULL, null=True, blank=True, related_name="slots")
    brief = models.OneToOneField(
        Brief, on_delete=models.SET_NULL, null=True, blank=True, related_name="slot", verbose_name=_("brief")
    )
    video_version = models.OneToOneField(
        VideoVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="slot", verbose_name=_("video")
    )
    # Stable across regenerations of the feed: calendars that subscribed keep recognising the event.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at"]
        constraints = [
            # Generating slots twice must not make two of them (idempotent generation).
            models.UniqueConstraint(fields=["channel", "starts_at"], name="one_slot_per_channel_and_time"),
            models.CheckConstraint(
                condition=Q(video_version__isnull=True) | Q(brief__isnull=False), name="slot_video_has_its_brief"
            ),
        ]

    def __str__(self):
        return f"{self.channel} {self.starts_at:%Y-%m-%d %H:%M}Z"

    @property
    def is_ad_hoc(self) -> bool:
        return self.cadence_id is None


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret part of a channel's iCalendar address. Revoking it makes the old address a 404."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="feed_tokens")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel"], condition=Q(revoked_at__isnull=True), name="one_live_feed_token_per_channel"
            ),
        ]

    def __str__(self):
        return f"feed {self.channel}"

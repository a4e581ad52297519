import re
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .roles import Capability, Role
from .scoping import NOTHING, ScopedQuerySet, grants


class User(AbstractUser):
    """A person who logs in: staff of an organisation or of an agency."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the screens and e-mails. Empty: the organisation's language."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class Country(models.TextChoices):
    NETHERLANDS = "NL", _("Netherlands")
    SWEDEN = "SE", _("Sweden")


class Jurisdiction(models.TextChoices):
    """The public-records law the organisation's disclosures and archive follow (``disclosure``, ``archive``)."""

    WOO = "NL", _("Netherlands: Woo and Archiefwet")
    OFFENTLIGHETSPRINCIPEN = "SE", _("Sweden: offentlighetsprincipen (OSL) and arkivlagen")


class Currency(models.TextChoices):
    EUR = "EUR", _("Euro")
    SEK = "SEK", _("Swedish krona")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value})


class Organisation(models.Model):
    """A public body (ministry, municipality) that owns TikTok channels and commissions videos."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    jurisdiction = models.CharField(
        _("public-records law"),
        max_length=2,
        choices=Jurisdiction.choices,
        blank=True,
        help_text=_("Which law disclosures and archive packages follow; left empty, the country's."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("The default VAT rate for costs, e.g. 21 in the Netherlands, 25 in Sweden."),
    )
    approval_reminder_days = models.PositiveSmallIntegerField(
        _("remind approvers after (days)"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("A daily e-mail reminds approvers of items waiting longer than this."),
    )
    budget_overrun_needs_approval = models.BooleanField(
        _("overruns need MT approval"),
        default=False,
        help_text=_("A cost that takes a post or the period over its budget must be approved by the MT first."),
    )
    at_risk_working_days = models.PositiveSmallIntegerField(
        _("slot at risk (working days before)"),
        default=5,
        help_text=_("A slot without an approved video this many working days before it is at risk."),
    )
    second_factor_required = models.BooleanField(
        _("second factor required"),
        default=True,
        help_text=_(
            "Everyone who works for the organisation, the agency's people included, logs in with a code from an "
            "authenticator app as well as the password."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="organisation_vat_rate_0_100"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def records_law(self) -> str:
        """The ``Jurisdiction`` in force: the one set, else the country's (the codes are the countries')."""
        return self.jurisdiction or self.country

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


# TikTok usernames: letters, digits, underscores and full stops, at most 24 characters, not ending in a
# full stop.
TIKTOK_HANDLE_RE = re.compile(r"^[A-Za-z0-9_.]{2,24}$")
validate_tiktok_handle = RegexValidator(
    TIKTOK_HANDLE_RE,
    _("A TikTok handle has 2 to 24 letters, digits, underscores or full stops, without the @."),
)


class ChannelQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        if not grants(membership, Capability.VIEW_ORGANISATION):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)


class Channel(models.Model):
    """One TikTok account of an organisation (an organisation may run several)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="channels", verbose_name=_("organisation")
    )
    handle = models.CharField(
        _("TikTok handle"), max_length=24, validators=[validate_tiktok_handle], help_text=_("Without the @.")
    )
    display_name = models.CharField(_("display name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    # TikToks were 3 to 60 seconds when the pilots ran; TikTok now allows longer, hence configurable.
    min_video_seconds = models.PositiveSmallIntegerField(_("shortest video (seconds)"), default=3)
    max_video_seconds = models.PositiveSmallIntegerField(_("longest video (seconds)"), default=60)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["organisation__name", "handle"]
        constraints = [
            # A handle is unique on TikTok, case-insensitively; two organisations can't both own it.
            models.UniqueConstraint(Lower("handle"), name="channel_handle_unique_ci"),
            models.CheckConstraint(
                condition=Q(min_video_seconds__gte=1) & Q(min_video_seconds__lte=models.F("max_video_seconds")),
                name="channel_video_limits_ordered",
            ),
        ]

    def __str__(self):
        return f"@{self.handle}"

    def clean(self):
        if self.handle:
            self.handle = self.handle.removeprefix("@")
            if self.handle.endswith("."):
                raise ValidationError({"handle": _("A TikTok handle cannot end with a full stop.")})


class Agency(models.Model):
    """An external company that makes videos for one or more organisations."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    organisations = models.ManyToManyField(
        Organisation,
        through="AgencyEngagement",
        related_name="agencies",
        verbose_name=_("works for"),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AgencyEngagement(models.Model):
    """That an agency works for an organisation (a contract), from a date."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, verbose_name=_("agency"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    since = models.DateField(_("since"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency engagement")
        verbose_name_plural = _("agency engagements")
        constraints = [
            models.UniqueConstraint(fields=["agency", "organisation"], name="agency_engagement_unique"),
        ]

    def __str__(self):
        return f"{self.agency} → {self.organisation}"


class Membership(models.Model):
    """A person's role in one organisation. Agency members also name the agency they work for."""

    # Never deleted (a leaver's membership is ended): who worked where stays known, so a Woo export can still
    # find and remove a former colleague's name, and their decisions stay attributable.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("agency"),
        help_text=_("Only for agency members: the agency this person works for."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("The day the person stopped working here in this role.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__username"]
        constraints = [
            # One role per person per organisation keeps "what may I do here" unambiguous.
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_per_organisation"),
            # An agency member always names an agency; nobody else does.
            models.CheckConstraint(
                condition=(Q(role=Role.AGENCY_MEMBER) & Q(agency__isnull=False))
                | (~Q(role=Role.AGENCY_MEMBER) & Q(agency__isnull=True)),
                name="membership_agency_iff_agency_role",
            ),
            # An ended membership says when it ended; an active one has not ended.
            models.CheckConstraint(
                condition=Q(is_active=True, ended_on__isnull=True) | Q(is_active=False, ended_on__isnull=False),
                name="membership_ended_iff_inactive",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    def delete(self, *args, **kwargs):
        raise ValueError("A membership is ended (not active, with the day it ended), never deleted.")

    def clean(self):
        if not self.is_active and self.ended_on is None:
            raise ValidationError({"ended_on": _("Give the day the person stopped working here.")})
        if self.is_active and self.ended_on is not None:
            raise ValidationError({"ended_on": _("An active membership has not ended: leave the day empty.")})
        if self.role == Role.AGENCY_MEMBER and not self.agency_id:
            raise ValidationError({"agency": _("Choose the agency this person works for.")})
        if self.role != Role.AGENCY_MEMBER and self.agency_id:
            raise ValidationError({"agency": _("Only agency members belong to an agency.")})
        if (
            self.agency_id
            and self.organisation_id
            and not AgencyEngagement.objects.filter(
                agency_id=self.agency_id, organisation_id=self.organisation_id, is_active=True
            ).exists()
        ):
            raise ValidationError({"agency": _("This agency does not work for this organisation.")})

"""Topics, briefs, creators, script and video versions, postings, webcare and focus-group tests.

State changes go through ``content.services``; the brief's state machine is ``content.states``.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Channel, Organisation
from accounts.roles import Capability, Role
from accounts.scoping import NOTHING, ScopedQuerySet, grants


class Theme(models.TextChoices):
    CORONA = "corona", _("Corona")
    OTHER = "other", _("Other than corona")


class TopicQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        if not grants(membership, Capability.VIEW_BRIEFS):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)


class Topic(models.Model):
    """A theme in the organisation's library, e.g. vaccination, loneliness, alcohol."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="topics", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=120)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, default=Theme.OTHER)
    audience_min_age = models.PositiveSmallIntegerField(_("audience from age"), default=15)
    audience_max_age = models.PositiveSmallIntegerField(_("audience to age"), default=25)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_topics",
        verbose_name=_("owner (communication adviser)"),
    )
    is_sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Drugs, sex, alcohol, mental health: adds the extra approval step.")
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separated by commas."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organisation", Lower("name"), name="topic_name_unique_per_organisation"),
            models.CheckConstraint(
                condition=Q(audience_min_age__lte=models.F("audience_max_age")), name="topic_age_band_ordered"
            ),
        ]

    def __str__(self):
        return self.name


class BriefStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to team social")
    SENT_TO_AGENCY = "sent_to_agency", _("With the agency: script")
    IN_PRODUCTION = "in_production", _("With the agency: video")
    READY_TO_POST = "ready_to_post", _("Approved, ready to post")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


# An agency sees a brief once team social has sent it: a draft is the organisation's own business.
HIDDEN_FROM_AGENCY = ("draft", "submitted")


class BriefQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        """Staff with VIEW_BRIEFS see their organisation's briefs; an agency member only those addressed to
        their own agency, and only once sent."""
        if not grants(membership, Capability.VIEW_BRIEFS):
            return NOTHING
        if membership.role == Role.AGENCY_MEMBER:
            return Q(organisation_id=membership.organisation_id, agency_id=membership.agency_id) & ~Q(
                status__in=HIDDEN_FROM_AGENCY
            )
        return Q(organisation_id=membership.organisation_id)


def next_brief_numbers(organisation_id: int, count: int) -> list[int]:
    """The next ``count`` numbers of the organisation's briefs (for a bulk insert: hold the organisation's row lock,
    as ``Brief.save`` does, where two writers could meet)."""
    last = Brief.objects.filter(organisation_id=organisation_id).aggregate(last=models.Max("number"))["last"] or 0
    return list(range(last + 1, last + 1 + count))


class Brief(models.Model):
    """What a TikTok must say and within which constraints: drafted by a communication adviser."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="briefs", verbose_name=_("organisation")
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="briefs", verbose_name=_("channel"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="briefs", verbose_name=_("agency"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="briefs", verbose_name=_("topic"))
    title = models.CharField(_("working title"), max_length=150)
    key_message = models.TextField(_("key message"))
    target_audience = models.CharField(_("target audience"), max_length=200, default="15-25")
    call_to_action = models.CharField(_("call to action"), max_length=200, blank=True)
    source_url = models.URLField(
        _("source link"), blank=True, help_text=_("The reliable government source, e.g. Rijksoverheid.nl.")
    )
    posting_window_start = models.DateField(_("post from"), null=True, blank=True)
    posting_window_end = models.DateField(_("post until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=BriefStatus.choices, default=BriefStatus.DRAFT)
    # Set by the review when a video version is approved: what scheduling and posting read.
    approved_video = models.ForeignKey(
        "VideoVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="briefs_created", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The brief's number within its organisation (its reference, B-00026): one sequence per organisation, without
    # gaps, so one organisation's Woo inventory doesn't look as if documents are missing where another's briefs
    # took the numbers. Given on the first save (``save``), under the organisation's row lock.
    number = models.PositiveIntegerField(_("number"), editable=False)

    objects = BriefQuerySet.as_manager()

    class Meta:
        verbose_name = _("brief")
        verbose_name_plural = _("briefs")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(posting_window_start__isnull=True)
                | Q(posting_window_end__isnull=True)
                | Q(posting_window_start__lte=models.F("posting_window_end")),
                name="brief_posting_window_ordered",
            ),
            models.UniqueConstraint(fields=["organisation", "number"], name="brief_number_per_organisation"),
        ]
        # The brief list: an organisation's (or an agency's) briefs, newest change first, by status or not.
        indexes = [
            models.Index(fields=["organisation", "-updated_at"], name="brief_list"),
            models.Index(fields=["organisation", "status", "-updated_at"], name="brief_list_by_status"),
            models.Index(fields=["agency", "-updated_at"], name="brief_list_of_agency"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.number is not None:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            # One new brief at a time per organisation, so two made at once never take the same number.
            Organisation.objects.select_for_update().filter(pk=self.organisation_id).values_list("pk").first()
            self.number = next_brief_numbers(self.organisation_id, 1)[0]
            return super().save(*args, **kwargs)

    @property
    def is_posted(self) -> bool:
        return self.status == BriefStatus.POSTED

    def clean(self):
        errors = {}
        if self.channel_id and self.organisation_id and self.channel.organisation_id != self.organisation_id:
            errors["channel"] = _("Choose one of your organisation's channels.")
        if self.topic_id and self.organisation_id and self.topic.organisation_id != self.organisation_id:
            errors["topic"] = _("Choose one of your organisation's topics.")
        if (
            self.agency_id
            and self.organisation_id
            and not self.agency.agencyengagement_set.filter(
                organisation_id=self.organisation_id, is_active=True
            ).exists()
        ):
            errors["agency"] = _("This agency does not work for your organisation.")
        if (
            self.posting_window_start
            and self.posting_window_end
            and self.posting_window_start > self.posting_window_end
        ):
            errors["posting_window_end"] = _("The end of the posting window lies before its start.")
        if errors:
            raise ValidationError(errors)

    @property
    def reference(self) -> str:
        return f"B-{self.number:05d}" if self.number else "B-new"


class BriefConstraint(models.Model):
    """One checkable item of the brief's constraints (randvoorwaarden), e.g. "subtitles on"."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="constraints")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("constraint"), max_length=200)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["brief", "position"], name="brief_constraint_position_unique")]

    def __str__(self):
        return self.text


def private_upload_path(instance, filename):
    """Uploads live under a random name per organisation; they are served only through views."""
    extension = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"org-{instance.brief.organisation_id}/brief-{instance.brief_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=private_upload_path)
    name = models.CharField(_("name"), max_length=200)
    # What the bytes are (content.media), which is what it is served as; the name's extension follows it.
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


# TikTok takes a caption of at most 2,200 characters.
CAPTION_MAX_LENGTH = 2200


class CreatorQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        """An agency member sees their own agency's creators; staff those of the agencies they work with."""
        if grants(membership, Capability.PRODUCE_CONTENT):
            return Q(agency_id=membership.agency_id)
        if not grants(membership, Capability.VIEW_BRIEFS):
            return NOTHING
        return Q(agency__agencyengagement__organisation_id=membership.organisation_id)


class Creator(models.Model):
    """A maker who works through an agency. Personal data kept minimal: a handle and a display name."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="creators", verbose_name=_("agency"))
    handle = models.CharField(_("TikTok handle"), max_length=24)
    display_name = models.CharField(_("display name"), max_length=100)
    follower_count = models.PositiveIntegerField(_("followers"), default=0)
    is_influencer = models.BooleanField(
        _("influencer"), default=True, help_text=_("Off for other makers: home-care staff, shop staff, firefighters.")
    )
    maker_group = models.CharField(_("group of makers"), max_length=100, blank=True)
    consent_date = models.DateField(_("consent or contract date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CreatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("creator")
        verbose_name_plural = _("creators")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint("agency", Lower("handle"), name="creator_handle_unique_per_agency"),
        ]

    def __str__(self):
        return f"{self.display_name} (@{self.handle})"


class PublicationText(models.Model):
    """What goes out with the video on TikTok: the caption (the disclosure first, where one is required), its
    hashtags and the settings to choose when posting. Part of every script and video version, so it is reviewed
    and approved with the version; changing it after the approval means a new version."""

    caption = models.TextField(
        _("caption"),
        max_length=CAPTION_MAX_LENGTH,
        blank=True,
        help_text=_("The text under the video on TikTok, the disclosure first where a paid creator appears."),
    )
    hashtags = models.CharField(_("hashtags"), max_length=300, blank=True, help_text=_("E.g. #vaccinatie #gezond"))
    paid_partnership = models.BooleanField(
        _("“Paid partnership” label"),
        default=False,
        help_text=_("TikTok's branded-content setting: on when a creator is paid to appear."),
    )
    promotional_content = models.BooleanField(
        _("“Promotional content” label"),
        default=False,
        help_text=_("TikTok's setting for promoting the organisation's own brand or service."),
    )
    allow_comments = models.BooleanField(_("comments allowed"), default=True)
    allow_duet = models.BooleanField(_("duets allowed"), default=False)
    allow_stitch = models.BooleanField(_("stitches allowed"), default=False)

    class Meta:
        abstract = True

    @property
    def full_caption(self) -> str:
        """The caption as it goes on TikTok: the text, then the hashtags."""
        return " ".join(part for part in (self.caption.strip(), self.hashtags.strip()) if part)

    def tiktok_settings(self) -> list[tuple[str, bool]]:
        """The settings to choose when posting, labelled as in this form."""
        return [
            (capfirst(self._meta.get_field(name).verbose_name), getattr(self, name)) for name in PUBLICATION_SETTINGS
        ]


PUBLICATION_SETTINGS = ("paid_partnership", "promotional_content", "allow_comments", "allow_duet", "allow_stitch")
PUBLICATION_FIELDS = ("caption", "hashtags", *PUBLICATION_SETTINGS)


class ScriptVersion(PublicationText):
    """A numbered version of the agency's debrief/script. Approved as a fixed version, never edited."""

    brief = models.ForeignKey(Brief, on_delete=models.PROTECT, related_name="script_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("script"))
    shot_list = models.TextField(_("shot list"), blank=True)
    duration_target = models.PositiveSmallIntegerField(
        _("target duration (seconds)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    creators = models.ManyToManyField(Creator, related_name="script_versions", verbose_name=_("creators"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        ordering = ["brief", "number"]
        constraints = [models.UniqueConstraint(fields=["brief", "number"], name="script_version_number_unique")]

    def __str__(self):
        return f"{self.brief.reference} script v{self.number}"


class MusicSource(models.TextChoices):
    COMMERCIAL_LIBRARY = "commercial_library", _("TikTok's Commercial Music Library")
    COMMISSIONED = "commissioned", _("Commissioned or owned by the organisation")
    NONE = "none", _("No music")


class VideoVersion(PublicationText):
    """A numbered video delivered by the agency: an uploaded file or a private preview link, with what goes out
    with it (the publication text), its accessibility package (subtitles, transcript) and who is on screen."""

    brief = models.ForeignKey(Brief, on_delete=models.PROTECT, related_name="video_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("video file"), upload_to=private_upload_path, blank=True)
    preview_url = models.URLField(_("private preview link"), blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    duration = models.DecimalField(_("duration (seconds)"), max_digits=7, decimal_places=2, null=True, blank=True)
    # The SHA-256 of the uploaded file, taken at the upload: the hand-off package and the archive name it.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    has_subtitles = models.BooleanField(_("subtitles burned into the picture"), default=False)
    subtitle_file = models.FileField(_("subtitle file"), upload_to=private_upload_path, blank=True)
    transcript = models.TextField(
        _("transcript"), blank=True, help_text=_("Everything said, and the sounds that matter ([music], [laughter]).")
    )
    cover_seconds = models.DecimalField(
        _("cover frame at (seconds)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    music_source = models.CharField(_("music"), max_length=20, choices=MusicSource.choices, blank=True)
    # When the uploaded file was destroyed under the organisation's retention terms (an approved destruction list,
    # ``archive.destruction``): the version, its hash and its approvals stay on record, the bytes are gone.
    file_destroyed_at = models.DateTimeField(_("video file destroyed"), null=True, blank=True, editable=False)
    creators = models.ManyToManyField(Creator, related_name="video_versions", verbose_name=_("creators"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("video version")
        verbose_name_plural = _("video versions")
        ordering = ["brief", "number"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "number"], name="video_version_number_unique"),
            # Exactly one of: an uploaded file, a preview link; or neither, once the file was destroyed.
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(preview_url=""))
                | (~Q(file="") & Q(preview_url=""))
                | (Q(file="", preview_url="") & Q(file_destroyed_at__isnull=False)),
                name="video_version_file_xor_link",
            ),
            # A destroyed file is gone: the version no longer names one.
            models.CheckConstraint(
                condition=Q(file_destroyed_at__isnull=True) | Q(file=""), name="video_version_destroyed_has_no_file"
            ),
        ]

    def __str__(self):
        return f"{self.brief.reference} video v{self.number}"

    @property
    def has_accessibility_package(self) -> bool:
        """Subtitles (a checked file, or burned in) and a transcript."""
        return bool(self.subtitle_file or self.has_subtitles) and bool(self.transcript.strip())


class OnScreenPerson(models.Model):
    """Someone recognisable in a video version, and the release that lets the organisation use it: the consent
    register. A minor (under 16) needs a parent's consent as well."""

    video_version = models.ForeignKey(VideoVersion, on_delete=models.CASCADE, related_name="people_on_screen")
    creator = models.ForeignKey(
        Creator, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("creator")
    )
    name = models.CharField(_("name or description"), max_length=120)
    release_reference = models.CharField(
        _("release"), max_length=100, blank=True, help_text=_("The signed release's reference, e.g. its file name.")
    )
    release_date = models.DateField(_("release signed on"), null=True, blank=True)
    is_minor = models.BooleanField(_("under 16"), default=False)
    parental_consent_reference = models.CharField(_("parental consent"), max_length=100, blank=True)
    rights_end = models.DateField(
        _("rights until"), null=True, blank=True, help_text=_("Empty: no end date in the release.")
    )

    class Meta:
        verbose_name = _("person on screen")
        verbose_name_plural = _("people on screen")
        ordering = ["video_version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rights_end__isnull=True)
                | Q(release_date__isnull=True)
                | Q(release_date__lte=models.F("rights_end")),
                name="on_screen_rights_end_after_release",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def has_release(self) -> bool:
        return bool(self.release_reference.strip()) and self.release_date is not None

    @property
    def needs_parental_consent(self) -> bool:
        return self.is_minor and not self.parental_consent_reference.strip()


class PublicationRules(models.Model):
    """An organisation's rules for what goes out: the advertising disclosure, the accessibility package and the
    limits of subtitles, and how closely the live post must follow the plan. Set by the organisation's admin."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="publication_rules")
    disclosure_text = models.CharField(
        _("disclosure"),
        max_length=120,
        help_text=_("The caption of a video with a paid creator must start with this."),
    )
    accessibility_required = models.BooleanField(
        _("accessibility package required"),
        default=True,
        help_text=_("A video is approved only with subtitles (a file, or burned in) and a transcript."),
    )
    subtitle_max_chars_per_second = models.DecimalField(
        _("subtitles: characters a second at most"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("17"),
        validators=[MinValueValidator(Decimal("5")), MaxValueValidator(Decimal("40"))],
    )
    subtitle_max_line_length = models.PositiveSmallIntegerField(
        _("subtitles: characters a line at most"),
        default=42,
        validators=[MinValueValidator(10), MaxValueValidator(80)],
    )
    subtitle_max_lines = models.PositiveSmallIntegerField(
        _("subtitles: lines a cue at most"), default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    post_day_tolerance = models.PositiveSmallIntegerField(
        _("days a post may lie from its slot"),
        default=0,
        validators=[MaxValueValidator(14)],
        help_text=_("0: the video must go live on its slot's day."),
    )
    rights_warning_days = models.PositiveSmallIntegerField(
        _("warn this many days before rights end"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("publication rules")
        verbose_name_plural = _("publication rules")

    def __str__(self):
        return f"{self.organisation}: {self._meta.verbose_name}"

    @classmethod
    def of(cls, organisation) -> "PublicationRules":
        """The organisation's rules; the defaults of its country until its admin changes them."""
        rules = cls.objects.filter(organisation=organisation).first()
        if rules is None:
            rules, _created = cls.objects.get_or_create(
                organisation=organisation, defaults={"disclosure_text": default_disclosure(organisation)}
            )
        return rules


def default_disclosure(organisation) -> str:
    """The Dutch Reclamecode asks for "reclame" or "in opdracht van"; Konsumentverket for the word "reklam"."""
    if organisation.country == "SE":
        return f"Reklam för {organisation.name}"
    return f"Reclame | in opdracht van {organisation.name}"


class Comment(models.Model):
    """Feedback or extra information from the organisation, on a brief or on one version."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="comments")
    script_version = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, null=True, blank=True)
    video_version = models.ForeignKey(VideoVersion, on_delete=models.CASCADE, null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(script_version__isnull=True) | Q(video_version__isnull=True),
                name="comment_on_at_most_one_version",
            ),
        ]

    def __str__(self):
        return self.text[:50]


class PostingQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        return Q(brief__in=Brief.objects.visible_to(membership))


class Posting(models.Model):
    """The approved video as posted on TikTok by the agency."""

    brief = models.OneToOneField(Brief, on_delete=models.PROTECT, related_name="posting")
    video_version = models.OneToOneField(VideoVersion, on_delete=models.PROTECT, related_name="posting")
    tiktok_url = models.URLField(_("TikTok URL"))
    tiktok_video_id = models.CharField(_("TikTok video id"), max_length=32, unique=True)
    posted_at = models.DateTimeField(_("posted at"))
    # The slot it was planned for, as it was when the post was recorded (the calendar then moves to the post).
    planned_for = models.DateTimeField(_("planned for"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-posted_at"]

    def __str__(self):
        return self.tiktok_url


class WebcareTaskQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        in_organisation = Q(posting__brief__organisation_id=membership.organisation_id)
        if grants(membership, Capability.CHECK_BRIEFS):
            return in_organisation
        # Whoever a question was put to (the press office, the topic's adviser, the MT) sees that task, to answer.
        asked = WebcareEscalation.objects.filter(task=models.OuterRef("pk"), role=membership.role)
        return in_organisation & Q(models.Exists(asked))


class WebcareTask(models.Model):
    """Moderating comments under a posted video: who, from when to when, notes, done."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="webcare_tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="webcare_tasks"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    notes = models.TextField(_("notes"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = WebcareTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("webcare task")
        verbose_name_plural = _("webcare tasks")
        ordering = ["done_at", "ends_at"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lte=models.F("ends_at")), name="webcare_period_ordered"),
        ]

    def __str__(self):
        return f"Webcare {self.posting}"

    def is_overdue(self, now) -> bool:
        return self.done_at is None and self.ends_at < now


# The roles webcare can put a question to: who speaks for the organisation on a comment team social can't answer
# alone (a journalist's question, a threat, a policy question).
ESCALATION_ROLES = (Role.REVIEWER, Role.COMMUNICATION_ADVISER, Role.MANAGEMENT)


class WebcareEscalation(models.Model):
    """A comment under a posted video that team social puts to another role (the press office by default), with
    the question, and that role's answer."""

    task = models.ForeignKey(WebcareTask, on_delete=models.CASCADE, related_name="escalations")
    role = models.CharField(
        _("to"), max_length=32, choices=[(role.value, role.label) for role in ESCALATION_ROLES], default=Role.REVIEWER
    )
    question = models.TextField(_("question"))
    comment_url = models.URLField(_("link to the comment"), blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webcare question")
        verbose_name_plural = _("webcare questions")
        ordering = ["asked_at", "pk"]
        constraints = [
            # An answer has its author and moment, or there is none.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answered_by__isnull=True, answer="")
                | Q(answered_at__isnull=False, answered_by__isnull=False) & ~Q(answer=""),
                name="webcare_escalation_answer_whole",
            ),
        ]

    def __str__(self):
        return f"{self.task}: {self.get_role_display()}"


class ReplyTemplateQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        if not grants(membership, Capability.CHECK_BRIEFS):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)


# TikTok cuts a comment at 150 characters.
REPLY_MAX_LENGTH = 150


class ReplyTemplate(models.Model):
    """A reply team social often gives under its videos, in the organisation's words, to copy and adapt."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reply_templates")
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(
        _("reply"),
        max_length=REPLY_MAX_LENGTH,
        help_text=_("At most 150 characters: TikTok's limit for a comment."),
    )

    objects = ReplyTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint("organisation", Lower("title"), name="reply_template_title_unique"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), REPLY_MAX_LENGTH), name="reply_template_fits_a_comment"
            ),
        ]

    def __str__(self):
        return self.title


class FollowUpKind(models.TextChoices):
    POST_DIFFERS = "post_differs", _("The live post differs from its approval")
    POSTED_WITHOUT_APPROVAL = "posted_without_approval", _("Posted without approval")
    RIGHTS_ENDING = "rights_ending", _("Rights end soon")


class FollowUpQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        if not grants(membership, Capability.CHECK_BRIEFS):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)

    def open(self):
        return self.filter(done_at__isnull=True)


class FollowUp(models.Model):
    """Something team social must look into that a check found: a live post that differs from what was approved,
    a video on the channel that no approved brief records, rights that end. Closed with a note."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=32, choices=FollowUpKind.choices)
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups")
    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups")
    person = models.ForeignKey(
        OnScreenPerson, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    # What was found, for people: [{"code", "message", "expected", "found"}], or the unrecorded video's id and link.
    details = models.JSONField(default=list, blank=True)
    tiktok_video_id = models.CharField(max_length=32, blank=True)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("found at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("what was done"), blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_at", "due_at", "pk"]
        constraints = [
            # A check that runs again finds the same thing: it updates the open follow-up, never adds one.
            models.UniqueConstraint(
                fields=["kind", "posting"],
                condition=Q(done_at__isnull=True, posting__isnull=False),
                name="one_open_follow_up_per_posting",
            ),
            models.UniqueConstraint(
                fields=["channel", "tiktok_video_id"],
                condition=Q(done_at__isnull=True, kind="posted_without_approval"),
                name="one_open_follow_up_per_unapproved_video",
            ),
            models.UniqueConstraint(
                fields=["kind", "person"],
                condition=Q(done_at__isnull=True, person__isnull=False),
                name="one_open_follow_up_per_person",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="follow_up_done_whole",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "done_at", "due_at"], name="follow_up_list")]

    def __str__(self):
        return self.get_kind_display()

    def is_overdue(self, now) -> bool:
        return self.done_at is None and self.due_at < now


class FocusGroupTest(models.Model):
    """That a concept was shown to a youth focus group before launch, and what came out."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="focus_group_tests")
    tested_on = models.DateField(_("date"))
    group_description = models.CharField(_("group"), max_length=200)
    participants = models.PositiveSmallIntegerField(_("participants"), default=0)
    outcome = models.TextField(_("outcome"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("focus-group test")
        verbose_name_plural = _("focus-group tests")
        ordering = ["tested_on"]

    def __str__(self):
        return f"{self.brief.reference} focus group {self.tested_on}"

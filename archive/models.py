"""Archive packages, retention terms and destruction lists.

A post made for a public task is a record (NL Archiefwet, SE arkivlagen): once its figures are final the post, with
what was approved, who approved it and what happened under it, goes into an archive package (``archive.bag``). What
is kept how long is the organisation's own choice (its selectielijst / informationshanteringsplan): ``RetentionTerm``.
Nothing is removed before the organisation approves a ``DestructionList`` (``archive.destruction``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.roles import Capability
from accounts.scoping import NOTHING, ScopedQuerySet, grants


class PackageStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be made")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    DESTROYED = "destroyed", _("Destroyed under the retention terms")


class PackageReason(models.TextChoices):
    FIGURES_FINAL = "figures_final", _("Figures final (a year after posting)")
    ON_DEMAND = "on_demand", _("Asked for")


def package_path(instance, filename):
    """Private, under a random name per organisation; served only through the download view."""
    return f"archive/org-{instance.organisation_id}/{uuid.uuid4().hex}.zip"


class ArchivePackageQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        """The packages of the membership's organisation, for those who may disclose (the same people who take
        records out for a request take them out for the archive)."""
        if not grants(membership, Capability.DISCLOSE):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)


class ArchivePackage(models.Model):
    """One BagIt package (a ZIP) of one post, or of one campaign (a topic: all its posts)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="archive_packages", verbose_name=_("organisation")
    )
    posting = models.ForeignKey(
        "content.Posting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="archive_packages",
        verbose_name=_("posting"),
    )
    topic = models.ForeignKey(
        "content.Topic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="archive_packages",
        verbose_name=_("campaign (topic)"),
    )
    reason = models.CharField(_("why"), max_length=16, choices=PackageReason.choices)
    status = models.CharField(_("status"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED)
    # Each run that takes the package on raises it; only that run may finish it (a run given up for dead and taken
    # over can't overwrite the newer one's work).
    attempt = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=package_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    # A master file that was not on disk: the package was made without it, and says so (bag-info.txt, MISSING.txt).
    incomplete = models.BooleanField(_("incomplete"), default=False)
    missing = models.JSONField(_("missing"), default=list, blank=True)  # ["B-00012 video v2 (SHA-256 …)", …]
    error = models.TextField(_("error"), blank=True)  # the technical cause of a failed build, for the administrator
    requested_at = models.DateTimeField(_("asked for"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    made_at = models.DateTimeField(_("made"), null=True, blank=True)
    # Who asked for the package that was made; empty: the scheduled job.
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    destroyed_at = models.DateTimeField(null=True, blank=True)

    objects = ArchivePackageQuerySet.as_manager()

    class Meta:
        verbose_name = _("archive package")
        verbose_name_plural = _("archive packages")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-requested_at"], name="archive_package_org")]
        constraints = [
            models.CheckConstraint(
                condition=Q(posting__isnull=False, topic__isnull=True) | Q(posting__isnull=True, topic__isnull=False),
                name="archive_package_post_xor_topic",
            ),
            # A finished package has its file and its hash; only a finished one has a file.
            models.CheckConstraint(
                condition=(Q(status=PackageStatus.DONE) & ~Q(file="") & ~Q(sha256="") & Q(made_at__isnull=False))
                | (~Q(status=PackageStatus.DONE) & Q(file="")),
                name="archive_package_file_iff_done",
            ),
            # The scheduled job makes one package per post when its figures are final: running it twice makes none.
            models.UniqueConstraint(
                fields=["posting"],
                condition=Q(reason=PackageReason.FIGURES_FINAL),
                name="archive_package_one_final_per_post",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if self.posting_id:
            return f"post-{self.posting.tiktok_video_id}"
        return f"campaign-{self.topic_id}"

    @property
    def filename(self) -> str:
        return f"archive-{self.name}.zip"

    @property
    def is_pending(self) -> bool:
        return self.status in (PackageStatus.QUEUED, PackageStatus.RUNNING)

    @property
    def can_try_again(self) -> bool:
        return self.status == PackageStatus.FAILED


class RetentionKind(models.TextChoices):
    BRIEF = "brief", _("Brief, with its attachments and comments")
    VIDEO_MASTER = "video_master", _("Video files (masters)")
    POST_RECORD = "post_record", _("Post record (the archive package)")
    STATISTICS = "statistics", _("Statistics (the figures' snapshots)")
    WEBCARE = "webcare", _("Webcare record")


class RetentionTerm(models.Model):
    """How long the organisation keeps one kind of record, as its selectielijst (NL) or informationshanteringsplan
    (SE) says. Without a row the default of ``archive.retention`` applies."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="retention_terms", verbose_name=_("organisation")
    )
    kind = models.CharField(_("record"), max_length=16, choices=RetentionKind.choices)
    years = models.PositiveSmallIntegerField(_("years"), null=True, blank=True)
    permanent = models.BooleanField(_("keep permanently"), default=False)

    class Meta:
        verbose_name = _("retention term")
        verbose_name_plural = _("retention terms")
        ordering = ["organisation", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="retention_term_per_kind"),
            # Either kept permanently, or for a number of years (at least one).
            models.CheckConstraint(
                condition=Q(permanent=True, years__isnull=True) | Q(permanent=False, years__isnull=False, years__gte=1),
                name="retention_term_years_or_permanent",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.get_kind_display()}"


class DestructionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed: waiting for approval")
    APPROVED = "approved", _("Approved: to be carried out")
    REFUSED = "refused", _("Refused")
    CARRIED_OUT = "carried_out", _("Carried out")


OPEN_LIST = (DestructionStatus.PROPOSED, DestructionStatus.APPROVED)


class DestructionListQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        """The lists of the membership's organisation, for its organisation admins."""
        if not grants(membership, Capability.MANAGE_ORGANISATION):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)


class DestructionList(models.Model):
    """What is due for destruction under the retention terms, proposed by one organisation admin and approved (or
    refused) by another: four eyes, as a public body destroys records. Only an approved list is carried out."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="destruction_lists", verbose_name=_("organisation")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DestructionStatus.choices, default=DestructionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed"))
    # Items due but held by an open disclosure request when the list was proposed: [{"label", "requests"}].
    left_out = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried out by"),
    )
    carried_out_at = models.DateTimeField(_("carried out"), null=True, blank=True)

    objects = DestructionListQuerySet.as_manager()

    class Meta:
        verbose_name = _("destruction list")
        verbose_name_plural = _("destruction lists")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One list in progress at a time: an item can't be on two lists, and nobody approves a stale one.
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status__in=OPEN_LIST), name="destruction_one_open_list"
            ),
            # Four eyes: whoever proposed the list does not decide on it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="destruction_decided_by_another",
            ),
            models.CheckConstraint(
                condition=Q(status=DestructionStatus.PROPOSED, decided_at__isnull=True, decided_by__isnull=True)
                | (~Q(status=DestructionStatus.PROPOSED) & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="destruction_decided_iff_not_proposed",
            ),
            models.CheckConstraint(
                condition=Q(status=DestructionStatus.CARRIED_OUT, carried_out_at__isnull=False)
                | (~Q(status=DestructionStatus.CARRIED_OUT) & Q(carried_out_at__isnull=True)),
                name="destruction_carried_out_iff_done",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.proposed_at:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LIST


class DestructionItem(models.Model):
    """One thing on a destruction list: what of one brief, post or archive package goes, and from when it was due."""

    destruction_list = models.ForeignKey(DestructionList, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("record"), max_length=16, choices=RetentionKind.choices)
    brief = models.ForeignKey(
        "content.Brief", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("brief")
    )
    posting = models.ForeignKey(
        "content.Posting", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("posting")
    )
    package = models.ForeignKey(
        ArchivePackage, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("package")
    )
    label = models.CharField(_("what"), max_length=300)
    # Records older than this go (snapshots and webcare tasks of a post); the moment the term ended for the item.
    cutoff = models.DateTimeField(_("due since"))

    class Meta:
        verbose_name = _("item to destroy")
        verbose_name_plural = _("items to destroy")
        ordering = ["destruction_list", "kind", "pk"]
        constraints = [
            # Everything on a list is about a brief (its own records, or its post's), or is an archive package.
            models.CheckConstraint(
                condition=Q(brief__isnull=False) | Q(package__isnull=False), name="destruction_item_has_a_subject"
            ),
        ]

    def __str__(self):
        return self.label

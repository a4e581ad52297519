"""A disclosure package made by a worker: a period's briefs can run to thousands of documents, more than a
request may take (issue 14). The finished ZIP is a private file under MEDIA_ROOT, served only through a view that
checks who asks and records the download; it is deleted after ``exports.KEEP_DAYS`` days."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Jurisdiction, Organisation
from accounts.roles import Capability
from accounts.scoping import NOTHING, ScopedQuerySet, grants


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Deleted after its retention period")


class ExportKind(models.TextChoices):
    PERIOD = "period", _("Every brief made in a period")
    REQUEST = "request", _("The documents of a request")


class ExportFailure(models.TextChoices):
    """Why a package could not be made, in words for the status page."""

    NOT_ALLOWED = "not_allowed", _("The person who asked for it may no longer disclose in this organisation.")
    ERROR = "error", _("Something went wrong while the package was made.")


def package_filename(organisation, title: str) -> str:
    """A package's file name says what it is under the organisation's law: a Woo package, or public records
    (handlingar) released under offentlighetsprincipen."""
    return f"{'woo' if organisation.records_law == Jurisdiction.WOO else 'handlingar'}-{title}.zip"


def export_path(instance, filename):
    """Private, under a random name per organisation; served only through the download view."""
    return f"disclosure/org-{instance.organisation_id}/{uuid.uuid4().hex}.zip"


class DisclosureExportQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        """The packages of the membership's organisation, if its role may disclose (another organisation's
        package is not found)."""
        if not grants(membership, Capability.DISCLOSE):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)


class DisclosureExport(models.Model):
    """One disclosure package asked for in the app and made by ``disclosure.tasks.build_export``."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="disclosure_exports", verbose_name=_("organisation")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked for by")
    )
    # Where the request came from: the origin of the disclosure's audit events, which the worker writes.
    requested_from = models.CharField(max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices, default=ExportKind.PERIOD)
    # The request it answers (kind REQUEST): its briefs, masked passages and decision make the package.
    request = models.ForeignKey(
        "DisclosureRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="exports"
    )
    # For a period: {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}, read in the organisation's time zone.
    parameters = models.JSONField(default=dict)
    title = models.CharField(_("package"), max_length=100)
    language = models.CharField(max_length=8)  # the documents' language: the asker's when they asked
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    # Each run of the task that takes the job on raises it; only that run may report progress or finish it, so a
    # run that was given up for dead (and taken over) can't overwrite the newer one's work.
    attempt = models.PositiveIntegerField(default=0)
    briefs_total = models.PositiveIntegerField(_("briefs"), null=True, blank=True)
    briefs_done = models.PositiveIntegerField(_("briefs done"), default=0)
    documents = models.PositiveIntegerField(_("documents"), default=0)
    file = models.FileField(upload_to=export_path, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    failure = models.CharField(max_length=16, choices=ExportFailure.choices, blank=True)
    error = models.TextField(blank=True)  # the technical cause of an unexpected failure, for the administrator
    created_at = models.DateTimeField(_("asked for"))
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the running task's last sign of life
    requeued_at = models.DateTimeField(null=True, blank=True)  # when the sweep last handed it to the queue again
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)  # when the file was deleted

    objects = DisclosureExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure package")
        verbose_name_plural = _("disclosure packages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="disclosure_export_org"),
            models.Index(fields=["status", "finished_at"], name="disclosure_export_status"),
        ]
        constraints = [
            # A finished package has its file; only a finished one has a file.
            models.CheckConstraint(
                condition=(Q(status=ExportStatus.DONE) & ~Q(file="")) | (~Q(status=ExportStatus.DONE) & Q(file="")),
                name="disclosure_export_file_iff_done",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def can_start_again(self) -> bool:
        return self.status in (ExportStatus.FAILED, ExportStatus.EXPIRED)

    @property
    def filename(self) -> str:
        # A request's draft and final packages are told apart in a downloads folder too.
        return package_filename(self.organisation, f"{self.title}-draft" if self.is_draft else self.title)

    @property
    def is_draft(self) -> bool:
        """A request's package asked for before its decision: for review, its decision document marked draft."""
        return self.request_id is not None and (
            self.request.decided_at is None or self.created_at < self.request.decided_at
        )


class DisclosureRequestQuerySet(ScopedQuerySet):
    def visibility(self, membership) -> Q:
        """The requests of the membership's organisation, if its role may disclose."""
        if not grants(membership, Capability.DISCLOSE):
            return NOTHING
        return Q(organisation_id=membership.organisation_id)

    def open(self):
        return self.filter(decided_at__isnull=True)


class DisclosureRequest(models.Model):
    """A request for public records, registered as it came in (who asked, when, what), the briefs gathered for it
    and the passages the discloser masked; decided (dated) once the answer went out. An open request holds its
    briefs: nothing of them is destroyed while it is being handled (``holds``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="disclosure_requests", verbose_name=_("organisation")
    )
    # The law the request is handled under, as it was when it came in.
    jurisdiction = models.CharField(_("public-records law"), max_length=2, choices=Jurisdiction.choices)
    reference = models.CharField(_("reference"), max_length=20)
    requester = models.CharField(_("who asked"), max_length=200)
    requester_contact = models.CharField(_("how to reach them"), max_length=254, blank=True)
    received_on = models.DateField(_("received on"))
    subject = models.TextField(_("what is asked for"))
    period_start = models.DateField(_("briefs made from"))
    period_end = models.DateField(_("until"))
    briefs = models.ManyToManyField("content.Brief", related_name="disclosure_requests", verbose_name=_("briefs"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    objects = DisclosureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure request")
        verbose_name_plural = _("disclosure requests")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="disclosure_request_reference"),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="disclosure_request_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, decided_by__isnull=True)
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="disclosure_request_decided_by_whom",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.decided_at is None


class Masking(models.Model):
    """A passage of a brief's documents that is not released, with the provision it rests on and why."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="maskings")
    # The brief whose documents it is masked in; empty: in every document of the request.
    brief = models.ForeignKey(
        "content.Brief", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("brief")
    )
    passage = models.TextField(_("passage"))
    provision = models.CharField(_("provision"), max_length=32)
    reason = models.TextField(_("why"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    # The earlier request's masking this one was carried over from: what one request kept secret is masked in the
    # next request for the same documents too, until the discloser releases it.
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried over from")
    )

    class Meta:
        verbose_name = _("masked passage")
        verbose_name_plural = _("masked passages")
        ordering = ["added_at", "pk"]

    def __str__(self):
        return f"{self.request} {self.provision}"

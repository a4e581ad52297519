"""The audit trail's one table: an append-only, hash-chained record of every change and decision.

It refers to domain objects generically (their model label and key), as Wagtail's log entries do, so the
trail sits below every app that writes to it. The table is still ``approvals_auditevent``, where it was
first made: its rows, their chain and the database's append-only trigger stayed when it moved here.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

from .actions import Result, label_for, reason_for


class AuditEventQuerySet(models.QuerySet):
    def about(self, obj):
        """The events whose subject (the timeline they belong to, e.g. a brief) is ``obj``."""
        return self.filter(subject_type=obj._meta.label_lower, subject_id=str(obj.pk))


class AuditEvent(models.Model):
    """One state change or decision (BIO2: actor, action, object, result, origin, time). Each event stores
    the hash of the previous event of the same organisation, so editing or deleting any event breaks the
    chain (``manage.py verify_audit``)."""

    # How the hash is computed: 1 for events written before the trail had subjects (their payload names
    # the brief), 2 since. Old events keep verifying as they were written.
    HASH_VERSION = 2

    # Empty: the platform's own chain (a superuser's change to an agency, a log-in without an organisation).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("organisation"),
    )
    sequence = models.PositiveBigIntegerField(_("number"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("what"), max_length=64)  # an AuditAction code; its label is read with label_for
    object_type = models.CharField(_("kind of object"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    # The timeline the event belongs to (a brief, a budget period, a channel), if any.
    subject_type = models.CharField(_("timeline kind"), max_length=64, blank=True, default="")
    subject_id = models.CharField(_("timeline id"), max_length=64, blank=True, default="")
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.OK)
    origin = models.CharField(_("origin"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("when"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    hash_version = models.PositiveSmallIntegerField(_("hash version"), default=HASH_VERSION)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "approvals_auditevent"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["organisation", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sequence"], name="audit_sequence_unique"),
            models.UniqueConstraint(
                fields=["sequence"],
                condition=models.Q(organisation__isnull=True),
                name="audit_platform_sequence_unique",
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id", "sequence"], name="audit_subject")]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    @property
    def label(self) -> str:
        return label_for(self.action, self.result, self.details)

    @property
    def reason(self) -> str:
        return reason_for(self.details)


class AuditCheckpoint(models.Model):
    """A signed statement that a chain had ``sequence`` events ending in ``head_hash`` at ``created_at``.

    The signature is an HMAC with AUDIT_SIGNING_KEY, which is not in the database: whoever can rewrite the table
    (edit an event and recompute every hash after it, cut the tail, empty it) can't make a checkpoint that
    fits. Each checkpoint is also written to the log (and optionally mailed), outside the database, so deleting
    the checkpoints is noticed too (``verify_audit --checkpoints``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_checkpoints"
    )
    sequence = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    signature = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["organisation", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sequence"], name="audit_checkpoint_unique"),
            models.UniqueConstraint(
                fields=["sequence"],
                condition=models.Q(organisation__isnull=True),
                name="audit_platform_checkpoint_unique",
            ),
        ]

    def __str__(self):
        return f"{self.organisation or 'platform'} #{self.sequence} {self.head_hash[:12]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit checkpoints are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit checkpoints are append-only.")

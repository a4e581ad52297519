"""A period's disclosure package, made by a worker (issue 14): a busy channel's year is thousands of documents,
more than a web request may take. The page asks for it (``export_request``), the worker makes it
(``export_build``, from ``tasks.build_export``) and the status page shows how far it got.

A job can be delivered twice (a worker lost after taking it, the sweep queuing it again while it runs): a run
takes the job on with a conditional update that raises ``attempt``, and every later write of that run (progress,
the finished file) is conditional on the attempt it took. A run that was given up for dead and taken over finds
its writes refused and stops, so it never overwrites the newer run's work. A running job whose heartbeat is older
than ``STALE_AFTER`` is given up for dead; a queued one whose hand-over to the queue was lost (Redis down) is queued
again by the sweep after ``QUEUED_GRACE``. Finished files are deleted after ``KEEP_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from accounts.access import has_capability, membership_in, require_in
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin
from content.models import Brief

from . import auditing, package
from .models import DisclosureExport, ExportFailure, ExportKind, ExportStatus

logger = logging.getLogger(__name__)

KEEP_DAYS = 7
PROGRESS_EVERY = 50  # briefs between two progress writes (each is one UPDATE, and also the heartbeat)
STALE_AFTER = dt.timedelta(minutes=5)  # a running job silent this long is taken to have lost its worker
QUEUED_GRACE = dt.timedelta(minutes=1)  # a job still queued after this long may have missed the queue


class EmptyPeriod(Exception):
    """No brief was made in the period: there is nothing to disclose."""


class AlreadyAgain(Exception):
    """The package was started again already: a later one of the same period exists (a second press of the
    button, or two people at once, would otherwise make the same package twice)."""


def replaced(export: DisclosureExport) -> bool:
    """Whether a later package of the same organisation and period was asked for."""
    return (
        DisclosureExport.objects.filter(
            organisation_id=export.organisation_id, title=export.title, created_at__gte=export.created_at
        )
        .exclude(pk=export.pk)
        .filter(Q(created_at__gt=export.created_at) | Q(pk__gt=export.pk))
        .exists()
    )


class TakenOver(Exception):
    """Another run took this job on: this one stops without writing."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def title(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    @classmethod
    def of(cls, export: DisclosureExport) -> Period:
        return cls(dt.date.fromisoformat(export.parameters["start"]), dt.date.fromisoformat(export.parameters["end"]))


def period_briefs(membership, period: Period):
    """The briefs ``membership`` sees that were made in ``period``, whose days are the organisation's (a brief
    made at 00:30 in Amsterdam belongs to that day, whatever the server's zone)."""
    zone = membership.organisation.zone
    starts = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    ends = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return (
        Brief.objects.visible_to(membership)
        .filter(created_at__gte=starts, created_at__lt=ends)
        .select_related("organisation", "agency", "topic", "channel")
        .order_by("-updated_at", "-pk")
    )


def export_request(*, actor, organisation, period: Period, language: str, origin: Origin, now) -> DisclosureExport:
    """Ask for the package of every brief ``actor`` sees that was made in ``period``: a queued job (the caller
    hands it to the queue). Raises ``EmptyPeriod`` when there is no such brief, PermissionDenied when the actor
    may not disclose in ``organisation``."""
    membership = require_in(actor, organisation, Capability.DISCLOSE)
    if not period_briefs(membership, period).exists():
        raise EmptyPeriod
    return DisclosureExport.objects.create(
        organisation=membership.organisation,
        requested_by=actor,
        requested_from=origin.address,
        kind=ExportKind.PERIOD,
        parameters={"start": period.start.isoformat(), "end": period.end.isoformat()},
        title=period.title,
        language=language,
        created_at=now,
    )


def export_again(*, actor, export: DisclosureExport, language: str, origin: Origin, now) -> DisclosureExport:
    """ "Start again" for a failed or expired package: a new job for the same period (the old one stays listed)."""
    if not export.can_start_again:
        raise ValueError(f"Export {export.pk} is {export.status}; only a failed or expired one starts again.")
    if replaced(export):
        raise AlreadyAgain
    if export.kind == ExportKind.REQUEST:
        require_in(actor, export.organisation, Capability.DISCLOSE)
        return DisclosureExport.objects.create(
            organisation=export.organisation, requested_by=actor, requested_from=origin.address,
            kind=ExportKind.REQUEST, request_id=export.request_id, parameters=export.parameters, title=export.title,
            language=language, created_at=now,
        )  # fmt: skip
    return export_request(
        actor=actor, organisation=export.organisation, period=Period.of(export), language=language, origin=origin,
        now=now,
    )  # fmt: skip


def _claim(export_id: int, now) -> int | None:
    """Take the job on: the attempt this run owns, or None when there is nothing to do (finished, or running
    elsewhere with a fresh heartbeat)."""
    takeable = Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    with transaction.atomic():
        claimed = (
            DisclosureExport.objects.filter(takeable, pk=export_id)
            .select_for_update()
            .values_list("attempt", flat=True)
            .first()
        )
        if claimed is None:
            return None
        DisclosureExport.objects.filter(pk=export_id).update(
            status=ExportStatus.RUNNING,
            attempt=claimed + 1,
            started_at=now,
            heartbeat_at=now,
            briefs_done=0,
            documents=0,
        )
    return claimed + 1


def _mine(export_id: int, attempt: int):
    return DisclosureExport.objects.filter(pk=export_id, attempt=attempt, status=ExportStatus.RUNNING)


def _fail(export_id: int, attempt: int, failure: ExportFailure, now, error: str = "") -> None:
    _mine(export_id, attempt).update(status=ExportStatus.FAILED, failure=failure, error=error, finished_at=now)


def export_build(export_id: int, *, now, clock: Callable[[], dt.datetime]) -> DisclosureExport | None:
    """Make the package of a queued job (or of a running one given up for dead); None when another run has it
    or it is finished already. ``now`` dates the package (its timelines show the history up to then); ``clock``
    gives the moments of the heartbeats and of the disclosure's audit events, which the build outlasts.

    The requester is asked again whether they may disclose: a role taken away after asking fails the job
    (``ExportFailure.NOT_ALLOWED``). The ZIP is written to a temporary file, then saved under MEDIA_ROOT with the
    uploads' private mode; the job is marked done in the same transaction that puts the disclosure on record."""
    attempt = _claim(export_id, now)
    if attempt is None:
        return None
    export = DisclosureExport.objects.select_related("organisation", "requested_by", "request__organisation").get(
        pk=export_id
    )
    membership = membership_in(export.requested_by, export.organisation)
    if not has_capability(membership, Capability.DISCLOSE):
        _fail(export_id, attempt, ExportFailure.NOT_ALLOWED, clock())
        return DisclosureExport.objects.get(pk=export_id)
    try:
        return _build(export, membership, attempt, now, clock)
    except TakenOver:
        return None
    except Exception as error:
        logger.exception("Disclosure package %s (attempt %s) failed", export_id, attempt)
        _fail(export_id, attempt, ExportFailure.ERROR, clock(), error=f"{type(error).__name__}: {error}"[:2000])
        return DisclosureExport.objects.get(pk=export_id)


def _briefs(export: DisclosureExport, membership) -> list:
    """A period's briefs as they are now; a request's as they were gathered (those the requester still sees)."""
    if export.kind == ExportKind.REQUEST:
        return list(
            Brief.objects.visible_to(membership)
            .filter(disclosure_requests=export.request_id)
            .select_related("organisation", "agency", "topic", "channel")
            .order_by("-updated_at", "-pk")
        )
    return list(period_briefs(membership, Period.of(export)))


def _build(export: DisclosureExport, membership, attempt: int, now, clock) -> DisclosureExport:
    briefs = _briefs(export, membership)
    request = export.request
    if not _mine(export.pk, attempt).update(briefs_total=len(briefs), heartbeat_at=clock()):
        raise TakenOver

    def progress(briefs_done: int, documents_done: int) -> None:
        if briefs_done % PROGRESS_EVERY and briefs_done != len(briefs):
            return
        updated = _mine(export.pk, attempt).update(
            briefs_done=briefs_done, documents=documents_done, heartbeat_at=clock()
        )
        if not updated:
            raise TakenOver

    with tempfile.TemporaryFile() as zipped:
        with translation.override(export.language):
            documents = package.write_package(
                briefs, title=export.title, now=now, out=zipped, progress=progress, request=request
            )
        size = zipped.tell()
        zipped.seek(0)
        name = export.file.field.generate_filename(export, export.filename)
        stored = export.file.storage.save(name, File(zipped), max_length=export.file.field.max_length)
    try:
        with transaction.atomic():
            finished = clock()
            done = _mine(export.pk, attempt).update(
                status=ExportStatus.DONE, file=stored, size=size, documents=sum(documents.values()),
                briefs_done=len(briefs), finished_at=finished, heartbeat_at=finished,
            )  # fmt: skip
            if not done:
                raise TakenOver
            auditing.record_disclosed(
                briefs,
                documents,
                actor=export.requested_by,
                title=export.title,
                now=finished,
                origin=Origin(export.requested_from),
            )
            if request is not None:
                trail.record(
                    organisation=export.organisation,
                    actor=export.requested_by,
                    action=AuditAction.REQUEST_PACKAGED,
                    obj=request,
                    origin=Origin(export.requested_from),
                    details={
                        "package": export.pk,
                        "documents": sum(documents.values()),
                        "masked_places": sum(request.masked_places.values()),
                    },
                )
    except BaseException:
        export.file.storage.delete(stored)
        raise
    return DisclosureExport.objects.get(pk=export.pk)


def stalled(now) -> list[int]:
    """Jobs to hand to the queue again: queued ones the queue may have lost (each is queued again at most once per
    ``STALE_AFTER``, so a long queue isn't flooded with copies), running ones whose worker went silent."""
    lost = Q(status=ExportStatus.QUEUED, requeued_at__isnull=True, created_at__lt=now - QUEUED_GRACE) | Q(
        status=ExportStatus.QUEUED, requeued_at__lt=now - STALE_AFTER
    )
    silent = Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    ids = list(DisclosureExport.objects.filter(lost | silent).order_by("pk").values_list("pk", flat=True))
    DisclosureExport.objects.filter(pk__in=ids).update(requeued_at=now)
    return ids


def expire(now) -> int:
    """Delete the files of packages finished more than ``KEEP_DAYS`` days before ``now``; the jobs stay, expired.
    Returns how many files were deleted."""
    deleted = 0
    due = DisclosureExport.objects.filter(status=ExportStatus.DONE, finished_at__lt=now - dt.timedelta(days=KEEP_DAYS))
    for export_id, name in due.values_list("pk", "file"):
        updated = DisclosureExport.objects.filter(pk=export_id, status=ExportStatus.DONE, file=name).update(
            status=ExportStatus.EXPIRED, file="", expired_at=now
        )
        if updated:
            # After the row no longer points at it: a crash in between leaves a stray file, never a dead link.
            DisclosureExport._meta.get_field("file").storage.delete(name)
            deleted += 1
    return deleted

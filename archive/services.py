"""Archive packages: asked for on a page or by the daily job when a post's figures are final, made by a worker.

TikTok stops updating a video's figures a year after it was posted (``FIGURES_FINAL_AFTER``): from then on the post's
record is complete, and the daily job (``tasks.package_final_posts``) makes its package, one per post (a partial
unique constraint makes running it twice harmless). Anyone who may disclose can also ask for a package of a post or a
campaign (a topic) at any time.

A build takes its package with a conditional update (queued or failed → running, raising ``attempt``) and only that
attempt may finish it; a failed build keeps its error and is tried again by the daily job or from the page.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.models import Organisation
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin
from content.models import Posting, Topic

from . import bag
from .models import ArchivePackage, PackageReason, PackageStatus

logger = logging.getLogger(__name__)

DISCLOSE = Capability.DISCLOSE
FIGURES_FINAL_AFTER = timedelta(days=365)
# A build that has run this long without finishing is taken to have died with its worker, and may be taken over.
STALLED_AFTER = timedelta(hours=6)
JOB = Origin.system("archive.package")


class NothingToArchive(ValidationError):
    """The topic asked for has no posted videos."""


def _subject(package: ArchivePackage):
    """The timeline the package's events belong to: the post's brief, or the campaign's topic."""
    return package.posting.brief if package.posting_id else package.topic


def archive_package_request(
    *,
    actor,
    organisation: Organisation,
    posting: Posting | None = None,
    topic: Topic | None = None,
    now: datetime,
    origin: Origin | None = None,
) -> ArchivePackage:
    """Ask for the package of one post or one campaign (a topic's posted videos), to be made by a worker. A package
    of the same post or campaign still waiting is returned instead of a second one."""
    require_in(actor, organisation, DISCLOSE)
    if (posting is None) == (topic is None):
        raise ValidationError(_("Choose a post or a campaign."))
    if posting is not None and posting.brief.organisation_id != organisation.pk:
        raise ValidationError(_("Choose one of your organisation's posts."))
    if topic is not None:
        if topic.organisation_id != organisation.pk:
            raise ValidationError(_("Choose one of your organisation's topics."))
        if not Posting.objects.filter(brief__topic=topic).exists():
            raise NothingToArchive(_("Nothing of this campaign has been posted yet."))
    with transaction.atomic():
        waiting = ArchivePackage.objects.filter(
            organisation=organisation, posting=posting, topic=topic, status__in=[PackageStatus.QUEUED]
        ).first()
        if waiting is not None:
            return waiting
        package = ArchivePackage.objects.create(
            organisation=organisation,
            posting=posting,
            topic=topic,
            reason=PackageReason.ON_DEMAND,
            requested_at=now,
            requested_by=actor,
        )
        trail.record(
            organisation=organisation,
            actor=actor,
            action=AuditAction.ARCHIVE_PACKAGE_ASKED,
            obj=package,
            subject=_subject(package),
            origin=origin,
            details={"package": package.name},
        )
    return package


def archive_package_retry(*, actor, package: ArchivePackage, now: datetime, origin: Origin | None = None) -> bool:
    """Queue a failed package again (False if it is not failed any more: made, or already waiting)."""
    require_in(actor, package.organisation, DISCLOSE)
    with transaction.atomic():
        again = ArchivePackage.objects.filter(pk=package.pk, status=PackageStatus.FAILED).update(
            status=PackageStatus.QUEUED, requested_at=now, requested_by=actor
        )
        if again:
            trail.record(
                organisation=package.organisation,
                actor=actor,
                action=AuditAction.ARCHIVE_PACKAGE_ASKED,
                obj=package,
                subject=_subject(package),
                origin=origin,
                details={"package": package.name, "again": True},
            )
    return bool(again)


def final_posts_due(*, now: datetime):
    """Posts whose figures are final (posted more than a year ago) and that have no figures-final package yet."""
    return Posting.objects.filter(posted_at__lte=now - FIGURES_FINAL_AFTER).exclude(
        archive_packages__reason=PackageReason.FIGURES_FINAL
    )


def queue_final_posts(*, now: datetime) -> int:
    """Queue a figures-final package for every post due; returns how many were queued."""
    queued = 0
    for posting in final_posts_due(now=now).select_related("brief").order_by("posted_at", "pk"):
        try:
            with transaction.atomic():
                ArchivePackage.objects.create(
                    organisation_id=posting.brief.organisation_id,
                    posting=posting,
                    reason=PackageReason.FIGURES_FINAL,
                    requested_at=now,
                )
        except IntegrityError:  # another run queued it a moment ago (the partial unique constraint)
            continue
        queued += 1
    return queued


def packages_to_build(*, now: datetime) -> list[int]:
    """Packages waiting, failed (tried again) or stalled, oldest first."""
    return list(
        ArchivePackage.objects.filter(_buildable(now)).order_by("requested_at", "pk").values_list("pk", flat=True)
    )


def _buildable(now: datetime) -> Q:
    return Q(status__in=[PackageStatus.QUEUED, PackageStatus.FAILED]) | Q(
        status=PackageStatus.RUNNING, started_at__lt=now - STALLED_AFTER
    )


def package_build(package_id: int, *, now: datetime) -> ArchivePackage | None:
    """Make the package (a system job: whoever asked for it was checked when they asked). Returns it made, failed,
    or None when another run has it (or it is made already)."""
    taken = ArchivePackage.objects.filter(_buildable(now), pk=package_id).update(
        status=PackageStatus.RUNNING, attempt=F("attempt") + 1, started_at=now, error=""
    )
    if not taken:
        return None
    package = ArchivePackage.objects.select_related("organisation", "posting__brief", "topic").get(pk=package_id)
    workdir = Path(tempfile.mkdtemp(prefix="archive-"))
    try:
        built = bag.build(package, now=now, workdir=workdir)
        return _finish(package, built, now=now)
    except Exception as error:  # any failure is shown on the page and tried again; the cause is kept
        logger.exception("Archive package %s failed", package_id)
        return _fail(package, f"{type(error).__name__}: {error}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _finish(package: ArchivePackage, built: bag.Built, *, now: datetime) -> ArchivePackage | None:
    with open(built.path, "rb") as zipped:
        package.file.save(package.filename, File(zipped), save=False)
    with transaction.atomic():
        done = ArchivePackage.objects.filter(
            pk=package.pk, attempt=package.attempt, status=PackageStatus.RUNNING
        ).update(
            status=PackageStatus.DONE,
            file=package.file.name,
            sha256=built.sha256,
            size=built.size,
            incomplete=bool(built.missing),
            missing=built.missing,
            made_at=now,
            made_by=package.requested_by,
        )
        if not done:  # taken over by a newer run meanwhile: its file is the one kept
            transaction.on_commit(lambda name=package.file.name: package.file.storage.delete(name))
            return None
        package.refresh_from_db()
        trail.record(
            organisation=package.organisation,
            actor=None,
            action=AuditAction.ARCHIVE_PACKAGED,
            obj=package,
            subject=_subject(package),
            origin=JOB,
            details={
                "package": package.name,
                "sha256": package.sha256,
                "size": package.size,
                "reason": package.reason,
                "incomplete": package.incomplete,
                "missing": package.missing,
            },
        )
    return package


def _fail(package: ArchivePackage, error: str) -> ArchivePackage | None:
    with transaction.atomic():
        failed = ArchivePackage.objects.filter(
            pk=package.pk, attempt=package.attempt, status=PackageStatus.RUNNING
        ).update(status=PackageStatus.FAILED, error=error[:2000])
        if not failed:
            return None
        package.refresh_from_db()
        trail.record(
            organisation=package.organisation,
            actor=None,
            action=AuditAction.ARCHIVE_PACKAGE_FAILED,
            obj=package,
            subject=_subject(package),
            origin=JOB,
            details={"package": package.name, "attempt": package.attempt},
        )
    return package

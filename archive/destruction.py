"""The destruction list: what the retention terms say may go, proposed, approved by the organisation, carried out.

Four eyes: an organisation admin proposes a list, another one approves or refuses it (the database refuses a decision
by the proposer); only an approved list is carried out. Nothing an open disclosure request holds is destroyed: a
proposal leaves such items out and says which requests hold them, and approving or carrying out a list that holds
one (a request registered after the proposal) is refused, naming the requests. Every step is an audit event.

What carrying out removes, per kind (``RetentionKind``), and why not more: briefs, versions, approval runs and
decisions are protected rows (``on_delete=PROTECT``) that the audit trail and the approval record point to, so they
stay; what goes are the things the terms are about that can go without breaking those records:

- video masters: each version's uploaded file is deleted from storage and the version marked ``file_destroyed_at``
  (its SHA-256 and approvals stay). A posted video's master goes only once its archive package is made: the package
  holds the posted file.
- brief: its attachments (files and rows) and comments; the brief, its versions and decisions stay as the record.
- statistics: the post's figure snapshots; its final figures (``LatestFigures``) stay, as do the package's.
- webcare: the post's webcare tasks with their questions and answers.
- post record: the archive package's file; the row stays, marked destroyed, with its SHA-256.

Posted briefs' records count from the day of posting; a cancelled brief's from its last change. Briefs still open
are never due. Files are deleted from storage once the database changes are committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.access import require_in
from accounts.models import Organisation
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction, Result
from audit.trail import Origin
from content.models import Attachment, Brief, BriefStatus, Comment, Posting, VideoVersion, WebcareTask
from disclosure.holds import held_brief_ids, holding_requests
from stats.models import VideoSnapshot

from .models import (
    ArchivePackage,
    DestructionItem,
    DestructionList,
    DestructionStatus,
    PackageStatus,
    RetentionKind,
)
from .retention import terms_for

MANAGE = Capability.MANAGE_ORGANISATION


class DestructionRefused(ValidationError):
    """The step can't be taken: the message says why (a hold, the list's state, four eyes)."""


@dataclass
class Due:
    kind: str
    label: str  # what it is about (a brief's reference and title, a package's file name); the kind says what goes
    cutoff: datetime
    brief: Brief | None = None
    posting: Posting | None = None
    package: ArchivePackage | None = None

    @property
    def brief_id(self) -> int | None:  # as a DestructionItem has it (``item_brief_ids`` reads both)
        return self.brief.pk if self.brief is not None else None


def _closed_before(cutoff) -> Q:
    """Briefs whose record ended before ``cutoff``: posted before it, or cancelled and last changed before it."""
    return Q(posting__posted_at__lt=cutoff) | Q(status=BriefStatus.CANCELLED, updated_at__lt=cutoff)


def _packaged_or_unposted() -> Q:
    """A posted brief's records go only once its post's archive package holds them; a cancelled one has none."""
    packaged = ArchivePackage.objects.filter(
        posting__brief=OuterRef("pk"), status__in=[PackageStatus.DONE, PackageStatus.DESTROYED]
    )
    return Q(posting__isnull=True) | Q(Exists(packaged))


def due(organisation: Organisation, *, now: datetime) -> list[Due]:
    """Everything whose retention term has ended at ``now``, holds not considered."""
    terms = terms_for(organisation)
    found: list[Due] = []
    briefs = Brief.objects.filter(organisation=organisation, status__in=[BriefStatus.POSTED, BriefStatus.CANCELLED])

    cutoff = terms[RetentionKind.VIDEO_MASTER].cutoff(now)
    if cutoff is not None:
        with_files = VideoVersion.objects.filter(brief=OuterRef("pk")).exclude(file="")
        for brief in briefs.filter(_closed_before(cutoff), _packaged_or_unposted(), Exists(with_files)).order_by(
            "number"
        ):
            found.append(
                Due(
                    RetentionKind.VIDEO_MASTER,
                    _brief(brief),
                    cutoff,
                    brief=brief,
                )
            )

    cutoff = terms[RetentionKind.BRIEF].cutoff(now)
    if cutoff is not None:
        has_leaves = Exists(Attachment.objects.filter(brief=OuterRef("pk"))) | Exists(
            Comment.objects.filter(brief=OuterRef("pk"))
        )
        for brief in briefs.filter(_closed_before(cutoff), _packaged_or_unposted(), has_leaves).order_by("number"):
            found.append(
                Due(
                    RetentionKind.BRIEF,
                    _brief(brief),
                    cutoff,
                    brief=brief,
                )
            )

    posts = (
        Posting.objects.filter(brief__organisation=organisation)
        .filter(
            Exists(
                ArchivePackage.objects.filter(
                    posting=OuterRef("pk"), status__in=[PackageStatus.DONE, PackageStatus.DESTROYED]
                )
            )
        )
        .select_related("brief")
        .order_by("posted_at", "pk")
    )
    cutoff = terms[RetentionKind.STATISTICS].cutoff(now)
    if cutoff is not None:
        snapshots = VideoSnapshot.objects.filter(posting=OuterRef("pk"))
        for posting in posts.filter(Exists(snapshots), posted_at__lt=cutoff):
            found.append(
                Due(
                    RetentionKind.STATISTICS,
                    _brief(posting.brief),
                    cutoff,
                    brief=posting.brief,
                    posting=posting,
                )
            )

    cutoff = terms[RetentionKind.WEBCARE].cutoff(now)
    if cutoff is not None:
        ended = WebcareTask.objects.filter(posting=OuterRef("pk"), ends_at__lt=cutoff)
        for posting in posts.filter(Exists(ended)):
            found.append(
                Due(
                    RetentionKind.WEBCARE,
                    _brief(posting.brief),
                    cutoff,
                    brief=posting.brief,
                    posting=posting,
                )
            )

    cutoff = terms[RetentionKind.POST_RECORD].cutoff(now)
    if cutoff is not None:
        packages = ArchivePackage.objects.filter(
            organisation=organisation, status=PackageStatus.DONE, made_at__lt=cutoff
        )
        for package in packages.select_related("posting__brief", "topic").order_by("made_at", "pk"):
            brief = package.posting.brief if package.posting_id else None
            found.append(
                Due(
                    RetentionKind.POST_RECORD,
                    package.filename,
                    cutoff,
                    brief=brief,
                    posting=package.posting,
                    package=package,
                )
            )
    return found


def _brief(brief: Brief) -> str:
    return f"{brief.reference} {brief.title}"


def item_brief_ids(item) -> set[int]:
    """The briefs an item is about (for holds): its brief, or every brief of a campaign package's topic."""
    if item.brief_id:
        return {item.brief_id}
    if item.package is not None and item.package.topic_id:
        return set(Brief.objects.filter(topic_id=item.package.topic_id).values_list("pk", flat=True))
    return set()


def _request_names(requests) -> str:
    return ", ".join(request.reference for request in requests)


@transaction.atomic
def destruction_propose(*, actor, organisation: Organisation, now: datetime, origin: Origin | None = None):
    """Propose the list of what is due at ``now``, leaving out what an open disclosure request holds (and saying
    so). Refused while another list is proposed or approved, and when nothing is due."""
    require_in(actor, organisation, MANAGE)
    if DestructionList.objects.filter(
        organisation=organisation, status__in=[DestructionStatus.PROPOSED, DestructionStatus.APPROVED]
    ).exists():
        raise DestructionRefused(_("A destruction list is waiting already: decide on it or carry it out first."))
    held = held_brief_ids(organisation.pk)
    items, left_out = [], []
    for entry in due(organisation, now=now):
        briefs = item_brief_ids(entry)
        if briefs & held:
            requests = holding_requests(organisation.pk, briefs & held)
            left_out.append(
                {"kind": entry.kind, "label": entry.label, "requests": [request.reference for request in requests]}
            )
        else:
            items.append(entry)
    if not items and left_out:
        references = sorted({reference for entry in left_out for reference in entry["requests"]})
        raise DestructionRefused(
            ngettext(
                "%(count)s item is due, but open disclosure requests hold it (%(requests)s): nothing can go until "
                "they are decided.",
                "%(count)s items are due, but open disclosure requests hold them (%(requests)s): nothing can go "
                "until they are decided.",
                len(left_out),
            )
            % {"count": len(left_out), "requests": ", ".join(references)}
        )
    if not items:
        raise DestructionRefused(
            _(
                "Nothing is due for destruction under the retention terms. A posted video's records are only "
                "proposed once its archive package is made (see Archive)."
            )
        )
    try:
        with transaction.atomic():
            destruction = DestructionList.objects.create(
                organisation=organisation, proposed_by=actor, proposed_at=now, left_out=left_out
            )
    except IntegrityError as error:  # another admin proposed one at the same moment
        raise DestructionRefused(
            _("A destruction list is waiting already: decide on it or carry it out first.")
        ) from error
    DestructionItem.objects.bulk_create(
        DestructionItem(
            destruction_list=destruction,
            kind=entry.kind,
            brief=entry.brief,
            posting=entry.posting,
            package=entry.package,
            label=entry.label[:300],
            cutoff=entry.cutoff,
        )
        for entry in items
    )
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.DESTRUCTION_PROPOSED,
        obj=destruction,
        origin=origin,
        details={"items": len(items), "left_out": left_out},
    )
    return destruction


def holding_requests_of(destruction: DestructionList) -> list:
    briefs = set()
    for item in destruction.items.select_related("package"):
        briefs |= item_brief_ids(item)
    return holding_requests(destruction.organisation_id, briefs) if briefs else []


def _refuse(destruction: DestructionList, *, actor, action: str, reason: str, params: dict, origin) -> None:
    """Record a refused step (outside the refused transaction, so the refusal stays on record) and raise it."""
    trail.record(
        organisation=destruction.organisation,
        actor=actor,
        action=action,
        obj=destruction,
        origin=origin,
        result=Result.REFUSED,
        details={"reason": reason, "reason_params": params},
    )
    raise DestructionRefused(_(reason) % params)


# Refusals are stored in English with their values (the audit trail's ``reason_for`` translates them when shown).
HELD = gettext_noop(
    "Held by the open disclosure request(s) %(requests)s: nothing on this list is destroyed while they are open."
)
NOT_APPROVED = gettext_noop("Only an approved destruction list is carried out.")


def destruction_decide(
    *, actor, destruction: DestructionList, approve: bool, note: str = "", now: datetime, origin: Origin | None = None
) -> DestructionList:
    """Approve or refuse a proposed list. Not by the one who proposed it (four eyes); approval is refused while a
    disclosure request holds anything on it. A refusal needs a note saying why."""
    require_in(actor, destruction.organisation, MANAGE)
    note = note.strip()
    if destruction.status != DestructionStatus.PROPOSED:
        raise DestructionRefused(_("This list has been decided on already."))
    if destruction.proposed_by_id == actor.pk:
        raise DestructionRefused(_("Someone other than the person who proposed the list decides on it."))
    if not approve and not note:
        raise DestructionRefused(_("Say why the list is refused."))
    if approve:
        requests = holding_requests_of(destruction)
        if requests:
            _refuse(
                destruction,
                actor=actor,
                action=AuditAction.DESTRUCTION_APPROVED,
                reason=HELD,
                params={"requests": _request_names(requests)},
                origin=origin,
            )
    status = DestructionStatus.APPROVED if approve else DestructionStatus.REFUSED
    with transaction.atomic():
        decided = DestructionList.objects.filter(pk=destruction.pk, status=DestructionStatus.PROPOSED).update(
            status=status, decided_by=actor, decided_at=now, decision_note=note
        )
        if not decided:
            raise DestructionRefused(_("This list has been decided on already."))
        destruction.refresh_from_db()
        trail.record(
            organisation=destruction.organisation,
            actor=actor,
            action=AuditAction.DESTRUCTION_APPROVED if approve else AuditAction.DESTRUCTION_REFUSED,
            obj=destruction,
            origin=origin,
            details={"note": note, "items": destruction.items.count()},
        )
    return destruction


def destruction_carry_out(
    *, actor, destruction: DestructionList, now: datetime, origin: Origin | None = None
) -> DestructionList:
    """Destroy what an approved list names (see the module's docstring for what that is). Refused, changing nothing,
    for a list that is not approved, and while a disclosure request holds anything on it."""
    require_in(actor, destruction.organisation, MANAGE)
    if destruction.status != DestructionStatus.APPROVED:
        _refuse(
            destruction,
            actor=actor,
            action=AuditAction.DESTRUCTION_CARRIED_OUT,
            reason=NOT_APPROVED,
            params={},
            origin=origin,
        )
    requests = holding_requests_of(destruction)
    if requests:
        _refuse(
            destruction,
            actor=actor,
            action=AuditAction.DESTRUCTION_CARRIED_OUT,
            reason=HELD,
            params={"requests": _request_names(requests)},
            origin=origin,
        )
    files: list = []
    counts: dict[str, int] = {}
    with transaction.atomic():
        taken = DestructionList.objects.filter(pk=destruction.pk, status=DestructionStatus.APPROVED).update(
            status=DestructionStatus.CARRIED_OUT, carried_out_by=actor, carried_out_at=now
        )
        if not taken:
            raise DestructionRefused(_("This list has been carried out already."))
        for item in destruction.items.select_related("package"):
            counts[item.kind] = counts.get(item.kind, 0) + _destroy(item, now=now, files=files)
        destruction.refresh_from_db()
        trail.record(
            organisation=destruction.organisation,
            actor=actor,
            action=AuditAction.DESTRUCTION_CARRIED_OUT,
            obj=destruction,
            origin=origin,
            details={"destroyed": counts, "files": len(files)},
        )
        # Files go once the rows that name them are gone for good: a rolled-back destruction leaves them in place.
        for storage, name in files:
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return destruction


def _destroy(item: DestructionItem, *, now: datetime, files: list) -> int:
    """Destroy one item; returns how many records went. ``files`` collects (storage, name) to delete after commit."""
    if item.kind == RetentionKind.VIDEO_MASTER:
        versions = list(VideoVersion.objects.filter(brief_id=item.brief_id).exclude(file=""))
        for version in versions:
            files.append((version.file.storage, version.file.name))
        VideoVersion.objects.filter(pk__in=[v.pk for v in versions]).update(file="", file_destroyed_at=now)
        return len(versions)
    if item.kind == RetentionKind.BRIEF:
        attachments = list(Attachment.objects.filter(brief_id=item.brief_id))
        files.extend((attachment.file.storage, attachment.file.name) for attachment in attachments)
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        comments, _by_model = Comment.objects.filter(brief_id=item.brief_id).delete()
        return len(attachments) + comments
    if item.kind == RetentionKind.STATISTICS:
        deleted, _by_model = VideoSnapshot.objects.filter(posting_id=item.posting_id).delete()
        return deleted
    if item.kind == RetentionKind.WEBCARE:
        tasks = WebcareTask.objects.filter(posting_id=item.posting_id, ends_at__lt=item.cutoff)
        count = tasks.count()
        tasks.delete()
        return count
    if item.kind == RetentionKind.POST_RECORD:
        package = item.package
        if package.status != PackageStatus.DONE:
            return 0
        files.append((package.file.storage, package.file.name))
        ArchivePackage.objects.filter(pk=package.pk, status=PackageStatus.DONE).update(
            status=PackageStatus.DESTROYED, file="", destroyed_at=now
        )
        return 1
    raise ValueError(f"Unknown kind {item.kind!r}")

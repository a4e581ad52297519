"""The audit trail: one append-only, hash-chained event per state change or decision.

Each organisation has its own chain. Appending locks the organisation's row, so two events written at
the same moment can't both claim the same predecessor. Apps write with ``record`` (or ``record_about``
for an event on a subject's timeline, such as a brief's); ``verify_chain`` checks a chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import membership_in
from accounts.models import Organisation

from .actions import AuditAction, Result
from .models import AuditEvent

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the client address of a request, or a named system job."""

    address: str = ""

    @classmethod
    def from_request(cls, request) -> Origin:
        # The same client address django-axes locks out (behind PROXY_COUNT proxies: the one they saw).
        from accounts.client_address import client_address

        return cls(address=client_address(request)[:64])

    @classmethod
    def system(cls, job: str) -> Origin:
        return cls(address=f"job:{job}"[:64])


LEGACY_SUBJECT = "content.brief"  # the only subject events had before version 2 (a foreign key then)


def _payload(event: AuditEvent) -> str:
    fields = {
        "organisation": event.organisation_id,
        "sequence": event.sequence,
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "result": event.result,
        "origin": event.origin,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "details": event.details,
    }
    if event.hash_version == 1:
        fields["brief"] = int(event.subject_id) if event.subject_type == LEGACY_SUBJECT and event.subject_id else None
    else:
        fields |= {
            "hash_version": event.hash_version,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
        }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256((event.previous_hash + _payload(event)).encode()).hexdigest()


def record(
    *,
    organisation: Organisation,
    actor,
    action: str,
    obj,
    origin: Origin | None = None,
    subject=None,
    result: str = Result.OK,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain (inside the caller's transaction, if any).

    ``obj`` is what changed; ``subject`` the timeline it belongs to (a brief, say), if any.
    """
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}: add it to audit.actions.AuditAction with its label.")
    with transaction.atomic():
        _lock_chain(organisation)
        membership = membership_in(actor, organisation) if actor is not None and organisation is not None else None
        event = AuditEvent(
            organisation=organisation,
            actor=actor,
            actor_role=membership.role if membership else ("system" if actor is None else ""),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            subject_type=subject._meta.label_lower if subject is not None else "",
            subject_id=str(subject.pk) if subject is not None else "",
            result=result,
            origin=(origin or Origin()).address,
            created_at=timezone.now(),
            details=details or {},
        )
        _chain_on(organisation, [event])
        event.save()
        return event


def append(organisation: Organisation | None, events: list[AuditEvent], *, batch_size: int = 1000) -> list:
    """Append many prepared events (unsaved, without sequence or hashes) to the organisation's chain at once,
    in their order: the chain is locked once and its head read once, and the events are inserted in batches
    (``batch_size`` per INSERT; PostgreSQL takes at most 65,535 parameters in one). The chain is exactly what
    ``record`` would have written one event at a time (a disclosure package's events, generated history)."""
    for event in events:
        if event.action not in AuditAction.values:
            raise ValueError(f"Unknown audit action {event.action!r}: add it to audit.actions.AuditAction.")
    with transaction.atomic():
        _lock_chain(organisation)
        _chain_on(organisation, events)
        AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return events


def _chain_on(organisation: Organisation | None, events: list[AuditEvent]) -> None:
    """Number and hash ``events`` after the chain's current head (the caller holds the chain's lock)."""
    last = _chain(organisation).order_by("-sequence").only("sequence", "hash").first()
    sequence, previous_hash = (last.sequence, last.hash) if last else (0, GENESIS_HASH)
    for event in events:
        sequence += 1
        event.organisation = organisation
        event.sequence = sequence
        event.previous_hash = previous_hash
        event.hash = compute_hash(event)
        previous_hash = event.hash


PLATFORM_LOCK = 7_423_001  # the advisory-lock key of the platform chain (PostgreSQL)


def _lock_chain(organisation: Organisation | None) -> None:
    """Serialise appends to one chain: the organisation's row lock, or an advisory lock for the platform's
    chain (SQLite serialises every write anyway)."""
    if organisation is not None:
        Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk", flat=True).first()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PLATFORM_LOCK])


def _chain(organisation: Organisation | None):
    if organisation is None:
        return AuditEvent.objects.filter(organisation__isnull=True)
    return AuditEvent.objects.filter(organisation=organisation)


# Events that change nothing of an organisation's work: log-ins and their steps, downloads and disclosures, refused
# attempts. A cache keyed by the latest change (``head(changes_only=True)``) stays valid through them.
NOT_CHANGES = (
    Q(action__startswith="auth.")
    | Q(action__startswith="export.")
    | Q(action__in=["brief.disclosed", "decision.attempt", "account.password_reset_requested"])
)


def head(organisation: Organisation | None, *, changes_only: bool = False) -> tuple[int, str]:
    """The number and hash of the organisation's latest event ((0, "") before the first), or of its latest change
    (``changes_only``). Every audited change moves it, so it versions what is cached about the organisation's
    work (the inbox count, the results); the hash, unlike the number, is never the same for different histories.
    One lookup backwards along the (organisation, sequence) index."""
    events = _chain(organisation)
    if changes_only:
        events = events.exclude(NOT_CHANGES)
    latest = events.order_by("-sequence").values_list("sequence", "hash").first()
    return latest or (0, "")


def record_about(subject, actor, action: str, obj, origin: Origin | None = None, **details) -> AuditEvent:
    """Shorthand for the common case: an event about ``obj`` on ``subject``'s timeline (in the subject's
    organisation), e.g. a decision on a brief."""
    return record(
        organisation=subject.organisation,
        actor=actor,
        action=action,
        obj=obj,
        subject=subject,
        origin=origin,
        details=details,
    )


def verify_chain(organisation: Organisation | None) -> list[str]:
    """Problems found in the organisation's chain (None: the platform's); an empty list means it is intact."""
    problems = []
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    for event in _chain(organisation).order_by("sequence").iterator():
        if event.sequence != expected_sequence:
            problems.append(f"event #{expected_sequence} is missing (next is #{event.sequence})")
        if event.previous_hash != expected_previous:
            problems.append(f"event #{event.sequence} does not follow its predecessor")
        if compute_hash(event) != event.hash:
            problems.append(f"event #{event.sequence} was changed after it was written")
        expected_previous = event.hash
        expected_sequence = event.sequence + 1
    return problems


def record_export(request, *, kind: str, obj, organisation, subject=None, **details) -> AuditEvent:
    """Who took what out of the system (a spreadsheet, a PDF, a calendar, an attachment): one event per download.
    ``kind`` names the export (e.g. "budget.xlsx")."""
    return record(
        organisation=organisation,
        actor=request.user,
        action=AuditAction.EXPORT_DOWNLOADED,
        obj=obj,
        subject=subject,
        origin=Origin.from_request(request),
        details={"export": kind, **details},
    )

"""The audit trail: one append-only, hash-chained event per state change or decision.

Each organisation has its own chain. Appending locks the organisation's row, so two events written at
the same moment can't both claim the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from accounts.access import membership_in
from accounts.models import Organisation

from .models import AuditEvent

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the client address of a request, or a named system job."""

    address: str = ""

    @classmethod
    def from_request(cls, request) -> Origin:
        # Behind a proxy, REMOTE_ADDR is set correctly by the server's proxy configuration.
        return cls(address=request.META.get("REMOTE_ADDR", "")[:64])

    @classmethod
    def system(cls, job: str) -> Origin:
        return cls(address=f"job:{job}"[:64])


def _payload(event: AuditEvent) -> str:
    return json.dumps(
        {
            "organisation": event.organisation_id,
            "sequence": event.sequence,
            "actor": event.actor_id,
            "actor_role": event.actor_role,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "brief": event.brief_id,
            "result": event.result,
            "origin": event.origin,
            "created_at": event.created_at.astimezone(UTC).isoformat(),
            "details": event.details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256((event.previous_hash + _payload(event)).encode()).hexdigest()


def record(
    *,
    organisation: Organisation,
    actor,
    action: str,
    obj,
    origin: Origin | None = None,
    brief=None,
    result: str = "ok",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain (inside the caller's transaction, if any)."""
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk", flat=True).first()
        last = AuditEvent.objects.filter(organisation=organisation).order_by("-sequence").only("sequence", "hash")
        last = last.first()
        membership = membership_in(actor, organisation) if actor is not None else None
        event = AuditEvent(
            organisation=organisation,
            sequence=(last.sequence + 1) if last else 1,
            actor=actor,
            actor_role=membership.role if membership else ("system" if actor is None else ""),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            brief=brief,
            result=result,
            origin=(origin or Origin()).address,
            created_at=timezone.now(),
            details=details or {},
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = compute_hash(event)
        event.save()
        return event


def record_for_brief(actor, action: str, obj, brief, origin: Origin | None = None, **details) -> AuditEvent:
    """Shorthand for the common case: an event about ``obj`` that belongs to ``brief``'s timeline."""
    return record(
        organisation=brief.organisation,
        actor=actor,
        action=action,
        obj=obj,
        brief=brief,
        origin=origin,
        details=details,
    )


def verify_chain(organisation: Organisation) -> list[str]:
    """Problems found in the organisation's chain; an empty list means it is intact."""
    problems = []
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    for event in AuditEvent.objects.filter(organisation=organisation).order_by("sequence").iterator():
        if event.sequence != expected_sequence:
            problems.append(f"event #{expected_sequence} is missing (next is #{event.sequence})")
        if event.previous_hash != expected_previous:
            problems.append(f"event #{event.sequence} does not follow its predecessor")
        if compute_hash(event) != event.hash:
            problems.append(f"event #{event.sequence} was changed after it was written")
        expected_previous = event.hash
        expected_sequence = event.sequence + 1
    return problems

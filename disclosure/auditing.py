"""The disclosure's own audit events: one ``BRIEF_DISCLOSED`` event per brief, on the brief's timeline, as
``audit.trail.record`` writes it, but for a whole package in a constant number of statements.

``trail.record`` takes the organisation's row lock, reads the chain's head and inserts one event: four
statements and a savepoint per event, so a package of 1,600 briefs held the lock 1,600 times inside the request.
Here each organisation's events go in with one ``trail.append`` (its chain locked once, its head read once, the
events hashed by the trail and inserted in batches). The result is exactly the chain ``record`` would have written
one event at a time: ``verify_chain`` checks it the same way, and each brief's timeline shows its disclosure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import transaction

from accounts.access import active_memberships
from audit import trail
from audit.actions import AuditAction
from audit.models import AuditEvent


def record_disclosed(
    briefs: Sequence,
    documents: Mapping[int, int],
    *,
    actor,
    title: str,
    now: datetime,
    origin: trail.Origin | None = None,
) -> list[AuditEvent]:
    """Append one ``BRIEF_DISCLOSED`` event per brief (``documents``: brief pk → documents of it in the package),
    in the caller's transaction if any. ``now`` stamps the events: pass the moment they are written."""
    by_organisation: dict[int, list] = {}
    for brief in briefs:
        by_organisation.setdefault(brief.organisation_id, []).append(brief)
    if not by_organisation:
        return []
    # The actor's role in each organisation, as ``trail.record`` writes it ("system" for a job of nobody).
    roles = (
        dict(
            active_memberships(actor)
            .filter(organisation_id__in=list(by_organisation))
            .order_by("pk")
            .values_list("organisation_id", "role")
        )
        if actor is not None
        else dict.fromkeys(by_organisation, "system")
    )
    events = []
    with transaction.atomic():
        # Organisations in key order, so two packages never wait on each other's locks in a circle.
        for organisation_id in sorted(by_organisation):
            organisation_briefs = by_organisation[organisation_id]
            events += trail.append(
                organisation_briefs[0].organisation,
                [
                    AuditEvent(
                        actor=actor,
                        actor_role=roles.get(organisation_id, ""),
                        action=AuditAction.BRIEF_DISCLOSED,
                        object_type=brief._meta.label_lower,
                        object_id=str(brief.pk),
                        subject_type=brief._meta.label_lower,
                        subject_id=str(brief.pk),
                        origin=(origin or trail.Origin()).address,
                        created_at=now,
                        details={"package": title, "documents": documents.get(brief.pk, 0)},
                    )
                    for brief in organisation_briefs
                ],
            )
    return events

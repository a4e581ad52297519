"""Changes made in Django's admin (people, memberships, roles, channels, agencies, approval chains, topics)
go into the audit trail like every other change: the admin hands them over through the ``admin_changes``
hook, and each is recorded in the chain of every organisation it concerns (the platform's chain when it
concerns none, e.g. a new agency without engagements)."""

from __future__ import annotations

from accounts.models import Agency, AgencyEngagement, Membership, Organisation, User

from .actions import AuditAction
from .trail import Origin, record

ACTIONS = {"added": AuditAction.ADMIN_ADDED, "changed": AuditAction.ADMIN_CHANGED, "deleted": AuditAction.ADMIN_DELETED}


def organisations_of(obj) -> set[int | None]:
    """The organisations a changed object belongs to: its own, its chain's, its agency's, its person's."""
    if isinstance(obj, Organisation):
        return {obj.pk}
    if isinstance(obj, User):
        found = set(Membership.objects.filter(user=obj).values_list("organisation_id", flat=True))
    elif isinstance(obj, Agency):
        found = set(AgencyEngagement.objects.filter(agency=obj).values_list("organisation_id", flat=True))
    elif getattr(obj, "organisation_id", None):
        found = {obj.organisation_id}
    elif getattr(getattr(obj, "chain", None), "organisation_id", None):
        found = {obj.chain.organisation_id}
    elif getattr(obj, "agency_id", None):
        found = set(AgencyEngagement.objects.filter(agency_id=obj.agency_id).values_list("organisation_id", flat=True))
    else:
        found = set()
    return found or {None}


def record_admin_changes(request, objects, change: str, message) -> None:
    origin = Origin.from_request(request)
    for obj in objects:
        details = {"object": str(obj)[:200]}
        if message:
            details["change"] = message  # Django's own change message: which fields, which inlines
        for organisation_id in sorted(organisations_of(obj), key=lambda pk: pk or 0):
            organisation = Organisation.objects.get(pk=organisation_id) if organisation_id else None
            record(
                organisation=organisation,
                actor=request.user,
                action=ACTIONS[change],
                obj=obj,
                origin=origin,
                details=details,
            )

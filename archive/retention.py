"""The organisation's retention terms: how long each kind of record is kept before it is proposed for destruction.

The organisation's own selectielijst (NL) or informationshanteringsplan / gallringsbeslut (SE) decides; the app only
applies what its organisation admins enter here. Until they do, ``DEFAULTS`` apply: they are a cautious starting point,
not advice (the post record, the archive package, is kept permanently).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.models import Organisation
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin

from .models import RetentionKind, RetentionTerm

MANAGE = Capability.MANAGE_ORGANISATION


@dataclass(frozen=True)
class Term:
    kind: str
    years: int | None  # None: kept permanently
    is_default: bool = False

    @property
    def permanent(self) -> bool:
        return self.years is None

    @property
    def label(self) -> str:
        return str(RetentionKind(self.kind).label)

    def cutoff(self, now: datetime) -> datetime | None:
        """Records that ended before this moment are due (None: never)."""
        if self.years is None:
            return None
        try:
            return now.replace(year=now.year - self.years)
        except ValueError:  # 29 February, in a year without one
            return now.replace(year=now.year - self.years, day=28)


DEFAULTS: dict[str, int | None] = {
    RetentionKind.BRIEF: 10,
    RetentionKind.VIDEO_MASTER: 10,
    RetentionKind.POST_RECORD: None,
    RetentionKind.STATISTICS: 2,
    RetentionKind.WEBCARE: 2,
}
MAX_YEARS = 200


def terms_for(organisation: Organisation | int) -> dict[str, Term]:
    """Each kind's term in force: the organisation's, else the default."""
    organisation_id = getattr(organisation, "pk", organisation)
    terms = {kind: Term(kind, years, is_default=True) for kind, years in DEFAULTS.items()}
    for row in RetentionTerm.objects.filter(organisation_id=organisation_id):
        terms[row.kind] = Term(row.kind, None if row.permanent else row.years)
    return terms


@transaction.atomic
def retention_save(*, actor, organisation: Organisation, terms: dict[str, int | None], origin: Origin | None = None):
    """Set the organisation's terms (kind → years, None for permanently); returns what changed (kind → before and
    after). A shorter term applies to the next destruction list: nothing is removed without one."""
    require_in(actor, organisation, MANAGE)
    unknown = set(terms) - set(RetentionKind.values)
    if unknown:
        raise ValidationError(_("Unknown kind of record: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))})
    for years in terms.values():
        if years is not None and not 1 <= years <= MAX_YEARS:
            raise ValidationError(_("A term is at least 1 and at most %(max)s years.") % {"max": MAX_YEARS})
    before = terms_for(organisation)
    changes = {}
    for kind, years in terms.items():
        if before[kind].years == years and not before[kind].is_default:
            continue
        RetentionTerm.objects.update_or_create(
            organisation=organisation, kind=kind, defaults={"years": years, "permanent": years is None}
        )
        if before[kind].years != years:
            changes[kind] = {"before": _years_text(before[kind].years), "after": _years_text(years)}
    if changes:
        trail.record(
            organisation=organisation,
            actor=actor,
            action=AuditAction.RETENTION_CHANGED,
            obj=organisation,
            origin=origin,
            details={"changes": changes},
        )
    return changes


def _years_text(years: int | None) -> str:
    return "permanent" if years is None else f"{years} years"

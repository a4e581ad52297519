"""Disclosure requests: registered as they came in (who asked, when, what), the briefs of the period asked about
gathered for them, passages masked under a provision of the organisation's law, a package made for them by a
worker (``exports``), and decided. Each step is an audit event on the request; each service takes the person who
acts and refuses one who may not disclose in the request's organisation."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.models import Organisation
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin

from . import exports, masking, package, provisions
from .models import DisclosureExport, DisclosureRequest, ExportKind, Masking

# How long a request may wait before the list flags it: Swedish law asks for it to be handled promptly
# ("skyndsamt": the same day or within a few days, as the Parliamentary Ombudsmen read it); the Woo gives four weeks.
ATTENTION_AFTER_DAYS = {"SE": 2, "NL": 28}


class RequestClosed(Exception):
    """The request was decided: its masked passages and package stay as they were sent."""


def age_in_days(request: DisclosureRequest, today: dt.date) -> int:
    return (today - request.received_on).days


def needs_attention(request: DisclosureRequest, today: dt.date) -> bool:
    return request.is_open and age_in_days(request, today) > ATTENTION_AFTER_DAYS[request.jurisdiction]


def _next_reference(organisation: Organisation, year: int) -> str:
    taken = DisclosureRequest.objects.filter(organisation=organisation, reference__startswith=f"{year}-").count()
    return f"{year}-{taken + 1:04d}"


def register_request(
    *,
    actor,
    organisation,
    requester: str,
    requester_contact: str,
    received_on: dt.date,
    subject: str,
    period: exports.Period,
    origin: Origin,
    now,
) -> DisclosureRequest:
    """Register a request and gather the briefs ``actor`` sees that were made in ``period``. Raises
    ``exports.EmptyPeriod`` when there is none, PermissionDenied for someone who may not disclose."""
    membership = require_in(actor, organisation, Capability.DISCLOSE)
    organisation = membership.organisation
    briefs = list(exports.period_briefs(membership, period).values_list("pk", flat=True))
    if not briefs:
        raise exports.EmptyPeriod
    with transaction.atomic():
        # One at a time per organisation, so two requests registered at once get two references.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        request = DisclosureRequest.objects.create(
            organisation=organisation,
            jurisdiction=organisation.records_law,
            reference=_next_reference(organisation, received_on.year),
            requester=requester,
            requester_contact=requester_contact,
            received_on=received_on,
            subject=subject,
            period_start=period.start,
            period_end=period.end,
            registered_by=actor,
            registered_at=now,
        )
        request.briefs.set(briefs)
        carried = _carry_over(request, briefs, actor=actor, now=now)
        trail.record(
            organisation=organisation,
            actor=actor,
            action=AuditAction.REQUEST_REGISTERED,
            obj=request,
            origin=origin,
            details={
                "reference": request.reference,
                "received_on": received_on.isoformat(),
                "briefs": len(briefs),
                "carried_over": [masked.carried_from_id for masked in carried],
            },
        )
    return request


def _carry_over(request: DisclosureRequest, brief_ids: list[int], *, actor, now) -> list[Masking]:
    """Mask in the new request what earlier requests masked in the same documents (a passage secret for one asker
    is secret for the next), once per passage and provision; the discloser reviews them and may release any."""
    codes = {p.code for p in provisions.for_law(request.jurisdiction)}
    earlier = (
        Masking.objects.filter(request__organisation_id=request.organisation_id)
        .exclude(request=request)
        .filter(Q(brief_id__in=brief_ids) | Q(brief__isnull=True, request__briefs__in=brief_ids))
        .distinct()
        .order_by("added_at", "pk")
    )
    seen, carried = set(), []
    for masked in earlier:
        key = (masked.brief_id, " ".join(masked.passage.split()).casefold(), masked.provision)
        if masked.provision not in codes or key in seen:
            continue  # a provision of another law (the organisation's law changed) is the discloser's to redo
        seen.add(key)
        carried.append(
            Masking(
                request=request, brief_id=masked.brief_id, passage=masked.passage, provision=masked.provision,
                reason=masked.reason, added_by=actor, added_at=now, carried_from=masked,
            )
        )  # fmt: skip
    return Masking.objects.bulk_create(carried)


def _open(request: DisclosureRequest) -> None:
    if not request.is_open:
        raise RequestClosed


def mask_passage(
    *, actor, request: DisclosureRequest, passage: str, provision: str, reason: str, brief=None, origin: Origin, now
) -> Masking:
    """Mask ``passage`` under ``provision`` in the request's documents (of ``brief`` only, if given). Raises
    ValidationError when the provision isn't one of the request's law or the passage is not in the documents."""
    require_in(actor, request.organisation, Capability.DISCLOSE)
    _open(request)
    errors = {}
    if provision not in {p.code for p in provisions.for_law(request.jurisdiction)}:
        errors["provision"] = _("Choose one of the provisions of the law this request is handled under.")
    briefs = list(request.briefs.all()) if brief is None else [brief]
    if brief is not None and not request.briefs.filter(pk=brief.pk).exists():
        errors["brief"] = _("This brief is not among the request's documents.")
    elif not any(masking.occurs(passage, text) for text in package.document_texts(briefs, now=now)):
        errors["passage"] = _(
            "This passage is not in the documents. Copy it from one paragraph of a document, as it is written there."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        masked = Masking.objects.create(
            request=request, brief=brief, passage=passage.strip(), provision=provision, reason=reason,
            added_by=actor, added_at=now,
        )  # fmt: skip
        # The passage itself stays out of the trail (it is what is kept secret); the trail says where and why.
        trail.record(
            organisation=request.organisation,
            actor=actor,
            action=AuditAction.PASSAGE_MASKED,
            obj=request,
            origin=origin,
            details={"masking": masked.pk, "provision": provision, "brief": brief.reference if brief else ""},
        )
    return masked


def release_passage(*, actor, masked: Masking, origin: Origin) -> None:
    """Release a masked passage again (a mistake, or a provision that turned out not to apply)."""
    request = masked.request
    require_in(actor, request.organisation, Capability.DISCLOSE)
    _open(request)
    with transaction.atomic():
        details = {"masking": masked.pk, "provision": masked.provision}
        masked.delete()
        trail.record(
            organisation=request.organisation,
            actor=actor,
            action=AuditAction.PASSAGE_UNMASKED,
            obj=request,
            origin=origin,
            details=details,
        )


def package_request(*, actor, request: DisclosureRequest, language: str, origin: Origin, now) -> DisclosureExport:
    """Ask for the request's package: a queued job (the caller hands it to the queue); the worker makes it with
    the masked passages and the decision document, and puts it on record."""
    require_in(actor, request.organisation, Capability.DISCLOSE)
    return DisclosureExport.objects.create(
        organisation=request.organisation,
        requested_by=actor,
        requested_from=origin.address,
        kind=ExportKind.REQUEST,
        request=request,
        parameters={"request": request.pk},
        title=request.reference,
        language=language,
        created_at=now,
    )


def record_decision(*, actor, request: DisclosureRequest, note: str, origin: Origin, now) -> DisclosureRequest:
    """Record that the request was answered (dated): its masked passages are fixed, and it holds its briefs no
    longer."""
    require_in(actor, request.organisation, Capability.DISCLOSE)
    with transaction.atomic():
        if not DisclosureRequest.objects.filter(pk=request.pk, decided_at__isnull=True).update(
            decided_at=now, decided_by=actor, decision_note=note
        ):
            raise RequestClosed
        request.refresh_from_db()
        trail.record(
            organisation=request.organisation,
            actor=actor,
            action=AuditAction.REQUEST_DECIDED,
            obj=request,
            origin=origin,
            details={"reference": request.reference, "maskings": request.maskings.count()},
        )
    return request

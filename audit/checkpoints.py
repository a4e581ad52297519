"""Signed checkpoints of the audit chains, and the checks that use them.

A checkpoint says "the chain of organisation O had N events, the last with hash H" and is signed with an HMAC
keyed by AUDIT_SIGNING_KEY, which lives outside the database. The chain alone proves that nothing inside it was
changed *unless* someone rewrote every hash after the change, cut the newest events or emptied the table; a
checkpoint that no longer fits tells all three. Each checkpoint also leaves the database as a log line (for the
central log service) and, if AUDIT_CHECKPOINT_EMAIL is set, a mail, so a deleted checkpoint is noticed by
comparing with those (``verify_audit --checkpoints FILE``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction

from accounts.models import Organisation
from core import outbox

from .models import AuditCheckpoint, AuditEvent

logger = logging.getLogger("audit.checkpoints")


def _key() -> bytes:
    if settings.AUDIT_SIGNING_KEY:
        return settings.AUDIT_SIGNING_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"tiktokplanner-audit-signing", hashlib.sha256).digest()


def _statement(organisation_id, sequence: int, head_hash: str, created_at: datetime) -> bytes:
    return f"{organisation_id or 'platform'}|{sequence}|{head_hash}|{created_at.astimezone(UTC).isoformat()}".encode()


def sign(organisation_id, sequence: int, head_hash: str, created_at: datetime) -> str:
    return hmac.new(_key(), _statement(organisation_id, sequence, head_hash, created_at), hashlib.sha256).hexdigest()


def as_line(checkpoint: AuditCheckpoint) -> str:
    """The checkpoint as one JSON line, as it goes to the log and the mail (and comes back to verify_audit)."""
    return json.dumps(
        {
            "organisation": checkpoint.organisation.slug if checkpoint.organisation_id else None,
            "sequence": checkpoint.sequence,
            "head_hash": checkpoint.head_hash,
            "created_at": checkpoint.created_at.astimezone(UTC).isoformat(),
            "signature": checkpoint.signature,
        },
        sort_keys=True,
    )


def write(*, now: datetime) -> list[AuditCheckpoint]:
    """A checkpoint for every chain whose head moved since its last one; each also logged and mailed."""
    written = []
    for organisation in [*Organisation.objects.order_by("pk"), None]:
        events = AuditEvent.objects.filter(organisation=organisation)
        head = events.order_by("-sequence").only("sequence", "hash").first()
        if head is None:
            continue
        done = AuditCheckpoint.objects.filter(organisation=organisation, sequence=head.sequence).exists()
        if done:
            continue
        with transaction.atomic():
            checkpoint = AuditCheckpoint.objects.create(
                organisation=organisation,
                sequence=head.sequence,
                head_hash=head.hash,
                created_at=now,
                signature=sign(organisation.pk if organisation else None, head.sequence, head.hash, now),
            )
        line = as_line(checkpoint)
        logger.info("audit checkpoint %s", line)
        written.append(checkpoint)
    if written and settings.AUDIT_CHECKPOINT_EMAIL:
        body = "\n".join(as_line(checkpoint) for checkpoint in written)
        which = "-".join(str(checkpoint.pk) for checkpoint in written)
        for address in settings.AUDIT_CHECKPOINT_EMAIL:
            outbox.queue(
                kind="audit.checkpoint",
                to=address,
                subject=f"TikTok Planner audit checkpoints {now:%Y-%m-%d}",
                body="Keep these lines: `manage.py verify_audit --checkpoints FILE` checks the audit trail against "
                "them.\n\n" + body,
                key=f"audit.checkpoint:{which}:{address}"[:200],
            )
    return written


def verify(organisation: Organisation | None, outside: list[dict] | None = None) -> list[str]:
    """What the checkpoints say is wrong with the chain of ``organisation`` (None: the platform's): a forged or
    altered checkpoint, an event at a checkpoint that is gone or was rewritten, a checkpoint from outside the
    database (the log) that the database no longer has."""
    problems = []
    events = AuditEvent.objects.filter(organisation=organisation)
    hashes = dict(events.values_list("sequence", "hash"))
    known = list(AuditCheckpoint.objects.filter(organisation=organisation).order_by("sequence"))
    organisation_id = organisation.pk if organisation else None
    for checkpoint in known:
        expected = sign(organisation_id, checkpoint.sequence, checkpoint.head_hash, checkpoint.created_at)
        if not hmac.compare_digest(expected, checkpoint.signature):
            problems.append(f"checkpoint at #{checkpoint.sequence} is not signed with the signing key (forged?)")
            continue
        actual = hashes.get(checkpoint.sequence)
        if actual is None:
            problems.append(f"event #{checkpoint.sequence}, signed in a checkpoint, is gone")
        elif actual != checkpoint.head_hash:
            problems.append(f"event #{checkpoint.sequence} differs from the one signed in a checkpoint (rewritten)")
    stored = {(checkpoint.sequence, checkpoint.signature) for checkpoint in known}
    for line in outside or []:
        created_at = datetime.fromisoformat(line["created_at"])
        if not hmac.compare_digest(
            sign(organisation_id, line["sequence"], line["head_hash"], created_at), line["signature"]
        ):
            problems.append(f"the outside checkpoint at #{line['sequence']} is not signed with the signing key")
            continue
        if (line["sequence"], line["signature"]) not in stored:
            problems.append(f"the checkpoint at #{line['sequence']} (in the log) is missing from the database")
        if hashes.get(line["sequence"]) != line["head_hash"]:
            problems.append(f"event #{line['sequence']} does not match the checkpoint in the log")
    return problems


def trigger_problems() -> list[str]:
    """PostgreSQL: are the append-only triggers in place and switched on?"""
    if connection.vendor != "postgresql":
        return []
    wanted = {
        ("approvals_auditevent", "approvals_auditevent_append_only"),
        ("approvals_auditevent", "approvals_auditevent_no_truncate"),
        ("audit_auditcheckpoint", "audit_auditcheckpoint_append_only"),
        ("audit_auditcheckpoint", "audit_auditcheckpoint_no_truncate"),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relname IN ('approvals_auditevent', 'audit_auditcheckpoint')"
        )
        found = {(table, name): enabled for table, name, enabled in cursor.fetchall()}
    problems = []
    for table, name in sorted(wanted):
        state = found.get((table, name))
        if state is None:
            problems.append(f"the append-only trigger {name} on {table} is missing")
        elif state == "D":
            problems.append(f"the append-only trigger {name} on {table} is switched off")
    return problems

"""The outbox: every mail the app sends is first a row (``OutgoingMail``), written in the same transaction as
the change it tells about, and only then delivered by a worker.

- A change that commits has its mails on record; one that rolls back has none.
- Handing the row to the queue happens after the commit and may fail (Redis down): the change stands, the page
  answers as usual, and the sweep (a beat job every minute) delivers what is due.
- Delivery claims the row first (pending → sending, one conditional UPDATE), so two workers, a retried job or a
  second scheduler never send one mail twice; a worker that dies while sending leaves a claim the sweep
  releases after ``CLAIM_MINUTES`` (the one case a mail may go out twice: the server took it and the worker died
  before writing so).
- A failed send is tried again later (``RETRY_DELAYS``), and after ``MAX_ATTEMPTS`` it is "could not be sent",
  for the organisation's admins to see and send again in the organisation's settings.
- The same news is queued once: each mail has a ``key`` saying what it is about (a run's step and a person, a
  channel's day and a person), unique in the database.

Nothing here reads the clock: delivery and the sweep take ``now`` from their task.
"""

from __future__ import annotations

import logging
import smtplib
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import MailStatus, OutgoingMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
RETRY_DELAYS = [60, 120, 300, 600, 1200, 1800, 3600]  # seconds after the 1st, 2nd, … failed attempt
CLAIM_MINUTES = 10
SWEEP_BATCH = 200
# Kinds whose body is a secret once delivered (a password-reset link): emptied after sending.
ERASE_AFTER_SENDING = {"account.password_reset", "account.welcome"}

# Every kind of mail the app sends, in words (the administration's list of outgoing mail).
KINDS = {
    "approval.waiting": _("A version waits for approval"),
    "approval.reminder": _("Reminder: a version still waits for approval"),
    "approval.finished": _("The outcome of a review, for the agency"),
    "brief.submitted": _("A brief waits to be checked and sent to the agency"),
    "brief.returned": _("A brief was returned to its adviser, with the reason"),
    "brief.sent": _("A new brief for the agency"),
    "brief.commented": _("A new comment on a brief"),
    "brief.posted": _("A video was posted: webcare to do"),
    "webcare.escalated": _("A question from webcare about a comment"),
    "webcare.answered": _("The answer to a question from webcare"),
    "calendar.planned": _("When an approved video is to be posted, for the agency"),
    "budget.proposed": _("A budget period waits for the MT's approval"),
    "calendar.at_risk": _("Weeks below the minimum or slots at risk"),
    "account.locked": _("Account locked after failed log-ins"),
    "account.changed": _("The e-mail address or password of an account was changed"),
    "account.password_reset": _("Password reset link"),
    "account.welcome": _("A new account: the link to set a password"),
    "audit.checkpoint": _("Audit trail checkpoints"),
    "tiktok.reconnect": _("A channel must be connected to TikTok again"),
    "tiktok.expiring": _("A channel's TikTok authorisation expires soon"),
}

_still_needed: dict[str, Callable[[OutgoingMail], bool]] = {}
_state = threading.local()


@contextmanager
def muted():
    """No mails for what happens inside (an import of history, such as the demo data)."""
    previous = is_muted()
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous


def is_muted() -> bool:
    return getattr(_state, "muted", False)


def still_needed(kind: str):
    """Register a check for mails of ``kind``: called just before sending, False skips the mail (e.g. "a version
    waits for you" after the step was decided)."""

    def register(check: Callable[[OutgoingMail], bool]):
        _still_needed[kind] = check
        return check

    return register


def send(
    *,
    kind: str,
    template: str,
    context: dict,
    person=None,
    address: str = "",
    organisation=None,
    key: str | None = None,
    details: dict | None = None,
) -> OutgoingMail | None:
    """Queue ``template``_subject.txt and ``template``_body.txt, rendered in the recipient's language (their own,
    else the organisation's), for ``person`` at their address (or at ``address``, e.g. the one they had). None
    when there is nobody to mail or the same ``key`` was queued before."""
    to = address or (person.email if person is not None else "") or ""
    if not to or is_muted():
        return None
    language = (getattr(person, "language", "") or "") or (organisation.language if organisation else "")
    zone = getattr(organisation, "zone", None) or timezone.get_current_timezone()
    # Dates and times in the mail read as in the app: the organisation's zone, the recipient's language.
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(zone):
        context = {**context, "recipient": person}
        subject = _render_text(f"{template}_subject.txt", context).strip()
        body = _render_text(f"{template}_body.txt", context)
    return queue(
        kind=kind, to=to, subject=subject, body=body, key=key, organisation=organisation, recipient=person,
        details=details,
    )  # fmt: skip


def send_each(people, *, leave_out=None, key: str, **fields) -> int:
    """``send`` to each of ``people`` but ``leave_out`` (the person who acted), keyed ``key:<person>``; returns how
    many mails were queued (news queued before is not queued again)."""
    queued = 0
    for person in people:
        if leave_out is not None and person.pk == leave_out.pk:
            continue
        queued += send(person=person, key=f"{key}:{person.pk}", **fields) is not None
    return queued


def _render_text(name: str, context: dict) -> str:
    """A plain-text template without HTML escaping: a mail says “Let's” and “A & B”, not “Let&#x27;s”."""
    return get_template(name).template.render(Context(context, autoescape=False))


def queue(
    *, kind: str, to: str, subject: str, body: str, key=None, organisation=None, recipient=None, details=None
) -> OutgoingMail | None:
    """The row, in the caller's transaction; delivery is asked for once that commits."""
    key = key or f"{kind}:{uuid.uuid4().hex}"
    with transaction.atomic():  # a savepoint: a clash on the key never spoils the caller's transaction
        mail, created = OutgoingMail.objects.get_or_create(
            key=key[:200],
            defaults={
                "kind": kind,
                "to": to,
                "subject": " ".join(subject.split())[:300],
                "body": body,
                "organisation": organisation,
                "recipient": recipient,
                "details": details or {},
            },
        )
    if not created:
        return None
    transaction.on_commit(lambda: hand_to_queue(mail.pk))
    return mail


def hand_to_queue(mail_id: int) -> bool:
    """Ask a worker to deliver the mail now. If the queue can't be reached, the sweep delivers it later."""
    from .tasks import deliver_mail

    try:
        deliver_mail.delay(mail_id)
        return True
    except Exception as error:  # any broker error: the row is safe, and the page must not fail for it
        logger.warning("Outbox: could not queue mail %s (%s); the sweep will deliver it", mail_id, error)
        return False


def deliver(mail_id: int, *, now: datetime) -> str:
    """Send one mail if it is due and nobody else is sending it; returns its status afterwards."""
    claimed = (
        OutgoingMail.objects.filter(pk=mail_id, status=MailStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=MailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    mail = OutgoingMail.objects.get(pk=mail_id)
    if not claimed:
        return mail.status  # sent already, being sent by another worker, or not due yet
    check = _still_needed.get(mail.kind)
    if check is not None and not check(mail):
        _finish(mail, MailStatus.SKIPPED, now=now)
        return MailStatus.SKIPPED
    try:
        EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to]).send()
    except (smtplib.SMTPException, OSError) as error:
        failed_for_good = mail.attempts >= MAX_ATTEMPTS
        delay = RETRY_DELAYS[min(mail.attempts, len(RETRY_DELAYS)) - 1]
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=MailStatus.FAILED if failed_for_good else MailStatus.PENDING,
            next_attempt_at=None if failed_for_good else now + timedelta(seconds=delay),
            last_error=f"{type(error).__name__}: {error}"[:500],
            claimed_at=None,
        )
        logger.warning("Outbox: mail %s to %s failed (attempt %s): %s", mail.pk, mail.to, mail.attempts, error)
        return MailStatus.FAILED if failed_for_good else MailStatus.PENDING
    _finish(mail, MailStatus.SENT, now=now)
    return MailStatus.SENT


def _finish(mail: OutgoingMail, status: str, *, now: datetime) -> None:
    fields = {"status": status, "claimed_at": None, "last_error": ""}
    if status == MailStatus.SENT:
        fields["sent_at"] = now
        if mail.kind in ERASE_AFTER_SENDING:
            fields["body"] = ""
    OutgoingMail.objects.filter(pk=mail.pk).update(**fields)


def sweep(*, now: datetime) -> int:
    """Release claims of workers that died while sending, then deliver every due mail (what the queue lost, what
    waits for its next attempt). Returns how many were sent."""
    OutgoingMail.objects.filter(
        status=MailStatus.SENDING, claimed_at__lt=now - timedelta(minutes=CLAIM_MINUTES)
    ).update(status=MailStatus.PENDING, claimed_at=None, last_error="The worker stopped while sending: tried again.")
    due = (
        OutgoingMail.objects.filter(status=MailStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(deliver(pk, now=now) == MailStatus.SENT for pk in list(due))


def send_again(mails, *, now: datetime) -> int:
    """An admin's "send again" for mails that could not be sent: a fresh set of attempts, starting now."""
    count = mails.filter(status=MailStatus.FAILED).update(
        status=MailStatus.PENDING, attempts=0, next_attempt_at=None, last_error=""
    )
    for pk in mails.filter(status=MailStatus.PENDING).values_list("pk", flat=True):
        transaction.on_commit(lambda pk=pk: hand_to_queue(pk))
    return count

"""E-mails of the workflow: queued in the outbox with the change, delivered by a worker, each once, each in the
recipient's language."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend as _LocmemBackend
from django.utils import timezone

from approvals.models import Verdict
from approvals.tasks import remind_waiting_approvers
from core import outbox
from core.models import MailStatus, OutgoingMail
from tests.mail import deliver
from tests.workflow import brief_with_agency, decide, deliver_script, open_run

pytestmark = pytest.mark.django_db


def test_the_mail_is_on_record_with_the_change_and_handed_over_after_commit(world, django_capture_on_commit_callbacks):
    brief = brief_with_agency(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver_script(world, brief)
        assert OutgoingMail.objects.filter(kind="approval.waiting").count() == 1  # in the same transaction
    assert len(callbacks) == 1  # handed to a worker only once the delivery is committed


def test_a_change_that_rolls_back_leaves_no_mail(world):
    from django.db import transaction

    brief = brief_with_agency(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        deliver_script(world, brief)
        raise RuntimeError("the request failed after the service")
    assert not OutgoingMail.objects.filter(kind__startswith="approval.").exists()


def _handed_to_the_agency(world, mailoutbox):
    """A brief with the agency, its hand-over mails (submitted, sent) delivered and put aside."""
    brief = brief_with_agency(world)
    deliver()
    mailoutbox.clear()
    return brief


def test_approvers_of_the_current_step_are_mailed(world, mailoutbox):
    version = deliver_script(world, _handed_to_the_agency(world, mailoutbox))
    run = open_run(version)
    assert deliver() == 1
    assert mailoutbox[0].to == [world.people["adviser"].email]
    assert f"/briefs/{run.brief_id}/" in mailoutbox[0].body
    assert deliver() == 0  # delivered once, whoever sweeps again
    assert len(mailoutbox) == 1


def test_a_stale_waiting_notice_is_not_sent(world, mailoutbox):
    version = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], version)
    deliver()
    assert not [m for m in mailoutbox if m.to == [world.people["adviser"].email]]
    skipped = OutgoingMail.objects.get(kind="approval.waiting", recipient=world.people["adviser"])
    assert skipped.status == MailStatus.SKIPPED


def test_the_agency_hears_the_outcome_with_the_feedback_in_its_language(world, mailoutbox):
    world.people["agency_member"].language = "nl"
    world.people["agency_member"].save()
    version = deliver_script(world, _handed_to_the_agency(world, mailoutbox))
    decide(world.people["adviser"], version, Verdict.REQUEST_CHANGES, comment="Noem de prikpost.")
    deliver()
    mail = next(m for m in mailoutbox if m.to == [world.people["agency_member"].email])
    assert "Noem de prikpost." in mail.body
    assert "Wijzigingen gevraagd" in mail.subject


def test_the_daily_reminder_mails_approvers_waiting_too_long_once_a_day(world, mailoutbox, frozen):
    deliver_script(world, brief_with_agency(world))
    deliver()
    mailoutbox.clear()
    assert remind_waiting_approvers() == 0
    limit = timedelta(days=world.ministry.approval_reminder_days)
    frozen.shift(limit - timedelta(minutes=1))
    assert remind_waiting_approvers() == 0  # not yet: the limit is whole days
    frozen.shift(timedelta(minutes=2))
    assert remind_waiting_approvers() == 1
    assert remind_waiting_approvers() == 0  # a second scheduler or a rerun on the same day: no second mail
    deliver()
    assert [m.to for m in mailoutbox] == [[world.people["adviser"].email]]


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = "tests.approvals.test_notifications.FlakyBackend"
    FlakyBackend.refuse = {}
    return FlakyBackend


class FlakyBackend(_LocmemBackend):
    """The mail server refuses given addresses a number of times, then takes them (Django's test outbox)."""

    refuse: dict[str, int] = {}

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if self.refuse.get(address, 0) > 0:
                    self.refuse[address] -= 1
                    raise smtplib.SMTPRecipientsRefused({address: (450, b"mailbox busy, try later")})
        return super().send_messages(messages)


def test_a_failed_send_is_tried_again_without_mailing_the_others_twice(world, mailoutbox, flaky_smtp, frozen):
    from accounts.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    second = UserFactory(username="second-agency", email="second@agency.example")
    MembershipFactory(user=second, organisation=world.ministry, role=Role.AGENCY_MEMBER, agency=world.agency)
    brief = _handed_to_the_agency(world, mailoutbox)
    flaky_smtp.refuse = {second.email: 1}
    version = deliver_script(world, brief)
    decide(world.people["adviser"], version, Verdict.REQUEST_CHANGES, comment="Korter graag.")
    deliver()
    first_round = sorted(address for m in mailoutbox for address in m.to)
    assert second.email not in first_round and world.people["agency_member"].email in first_round
    failed = OutgoingMail.objects.get(to=second.email, kind="approval.finished")
    assert (failed.status, failed.attempts) == (MailStatus.PENDING, 1) and "mailbox busy" in failed.last_error
    assert deliver() == 0  # not due yet: the next attempt waits a minute
    frozen.shift(timedelta(minutes=2))
    assert deliver() == 1
    everyone = sorted(address for m in mailoutbox for address in m.to)
    assert everyone.count(world.people["agency_member"].email) == 1 and everyone.count(second.email) == 1


def test_a_mail_that_keeps_failing_is_on_record_and_can_be_sent_again(world, mailoutbox, flaky_smtp, frozen):
    flaky_smtp.refuse = {world.people["adviser"].email: outbox.MAX_ATTEMPTS}
    deliver_script(world, brief_with_agency(world))
    for _ in range(outbox.MAX_ATTEMPTS):
        deliver()
        frozen.shift(timedelta(hours=2))
    mail = OutgoingMail.objects.get(kind="approval.waiting", recipient=world.people["adviser"])
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, outbox.MAX_ATTEMPTS)
    assert outbox.send_again(OutgoingMail.objects.filter(pk=mail.pk), now=timezone.now()) == 1
    assert deliver() == 1
    assert [world.people["adviser"].email] in [m.to for m in mailoutbox]


def test_a_claim_left_by_a_dead_worker_is_released_by_the_sweep(world, mailoutbox, frozen):
    deliver_script(world, brief_with_agency(world))
    mails = OutgoingMail.objects.all()
    mails.update(status=MailStatus.SENDING, claimed_at=timezone.now())
    assert deliver() == 0  # someone is sending them: hands off
    frozen.shift(timedelta(minutes=outbox.CLAIM_MINUTES + 1))
    assert deliver() == mails.count() >= 1
    assert len(mailoutbox) == mails.count()

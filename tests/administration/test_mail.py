"""Outgoing mail in the organisation's settings: the admins see what was sent, what waits and what could not be
sent, only for their own organisation and never what a mail says, and send again what failed (audited)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core import outbox
from core.models import MailStatus, OutgoingMail
from tests.mail import deliver

from .helpers import admin_client, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def mails(world):
    mine = outbox.queue(
        kind="calendar.at_risk", to="social@ministry.example", subject="Weeks at risk", body="secret-link-123",
        organisation=world.ministry,
    )  # fmt: skip
    OutgoingMail.objects.filter(pk=mine.pk).update(
        status=MailStatus.FAILED, attempts=outbox.MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: mailbox full"
    )
    sent = outbox.queue(kind="brief.sent", to="agency@ministry.example", subject="A new brief", body="x",
                        organisation=world.ministry)  # fmt: skip
    OutgoingMail.objects.filter(pk=sent.pk).update(status=MailStatus.SENT, attempts=1)
    theirs = outbox.queue(
        kind="calendar.at_risk", to="social@nykvarn.example", subject="Veckor i fara", body="x",
        organisation=world.municipality,
    )  # fmt: skip
    OutgoingMail.objects.filter(pk=theirs.pk).update(status=MailStatus.FAILED)
    return mine, sent, theirs


def test_admins_see_their_organisations_mail_in_words_but_not_what_it_says(world, client_for, mails):
    client = admin_client(world, client_for)
    page = client.get(reverse("settings_mail")).content.decode()
    assert "social@ministry.example" in page and "agency@ministry.example" in page
    assert "mailbox full" in page and "Weeks below the minimum or slots at risk" in page  # the kind in words
    assert "secret-link-123" not in page  # a body is never shown: a reset link is a secret
    assert "social@nykvarn.example" not in page
    failed = client.get(reverse("settings_mail"), {"status": "failed"}).content.decode()
    assert "social@ministry.example" in failed and "agency@ministry.example" not in failed


def test_a_failed_mail_is_sent_again_and_that_is_audited(world, client_for, mails, mailoutbox):
    mine = mails[0]
    client = admin_client(world, client_for)
    response = client.post(reverse("settings_mail_send_again", args=[mine.pk]), follow=True)
    assert "will be sent again" in " ".join(messages_of(response))
    mine.refresh_from_db()
    assert (mine.status, mine.attempts, mine.last_error) == (MailStatus.PENDING, 0, "")
    event = AuditEvent.objects.get(action="mail.sent_again")
    assert (event.actor, event.organisation, event.object_id) == (
        world.people["org_admin"],
        world.ministry,
        str(mine.pk),
    )
    assert event.details["last_error"] == "SMTPRecipientsRefused: mailbox full"
    deliver()
    assert "social@ministry.example" in [address for m in mailoutbox for address in m.to]
    assert OutgoingMail.objects.get(pk=mine.pk).status == MailStatus.SENT


def test_only_a_failed_mail_of_ones_own_organisation_is_sent_again(world, client_for, mails):
    mine, sent, theirs = mails
    client = admin_client(world, client_for)
    assert client.post(reverse("settings_mail_send_again", args=[theirs.pk])).status_code == 404
    assert OutgoingMail.objects.get(pk=theirs.pk).status == MailStatus.FAILED
    refused = client.post(reverse("settings_mail_send_again", args=[sent.pk]), follow=True)
    assert "Only a mail that could not be sent can be sent again." in " ".join(messages_of(refused))
    assert OutgoingMail.objects.get(pk=sent.pk).status == MailStatus.SENT
    assert not AuditEvent.objects.filter(action="mail.sent_again").exists()
    assert (
        client_for(world.people["team_social"]).post(reverse("settings_mail_send_again", args=[mine.pk])).status_code
        == 403
    )


def test_the_mail_list_takes_as_many_queries_for_many_mails_as_for_a_few(world, client_for, mails):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = admin_client(world, client_for)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("settings_mail")).status_code == 200
        return len(captured)

    queries()  # the first page of a session fills its caches (the inbox count)
    few = queries()
    for number in range(30):
        outbox.queue(kind="brief.sent", to=f"p{number}@example.org", subject="s", body="b", organisation=world.ministry)
    assert queries() == few

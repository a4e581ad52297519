"""The outbox in the administration: an organisation's admins see what was sent, what waits and what could not be
sent, only for their own organisation, and send again what failed."""

from django.urls import reverse

from core import outbox
from core.models import MailStatus, OutgoingMail
from tests.mail import deliver


def test_org_admins_see_their_undelivered_mail_and_send_it_again(world, client_for, mailoutbox):
    mine = outbox.queue(
        kind="calendar.at_risk", to="social@ministry.example", subject="Weeks at risk", body="secret-link-123",
        organisation=world.ministry,
    )  # fmt: skip
    OutgoingMail.objects.filter(pk=mine.pk).update(
        status=MailStatus.FAILED, attempts=outbox.MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: mailbox full"
    )
    theirs = outbox.queue(
        kind="calendar.at_risk", to="social@nykvarn.example", subject="Veckor i fara", body="x",
        organisation=world.municipality,
    )  # fmt: skip
    client = client_for(world.people["org_admin"])
    page = client.get(reverse("admin:core_outgoingmail_changelist"), {"status__exact": "failed"}).content.decode()
    assert "social@ministry.example" in page and "mailbox full" in page
    assert "Weeks below the minimum or slots at risk" in page  # the kind in words
    assert "social@nykvarn.example" not in client.get(reverse("admin:core_outgoingmail_changelist")).content.decode()
    detail = client.get(reverse("admin:core_outgoingmail_change", args=[mine.pk])).content.decode()
    assert "secret-link-123" not in detail  # bodies are not shown: a reset link is a secret
    assert client.get(reverse("admin:core_outgoingmail_change", args=[theirs.pk])).status_code in (302, 404)
    client.post(
        reverse("admin:core_outgoingmail_changelist"),
        {"action": "send_again", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert OutgoingMail.objects.get(pk=mine.pk).status == MailStatus.PENDING
    deliver()
    assert "social@ministry.example" in [address for m in mailoutbox for address in m.to]
    assert OutgoingMail.objects.get(pk=mine.pk).status == MailStatus.SENT


def test_the_same_news_is_queued_once(world):
    first = outbox.queue(kind="calendar.at_risk", to="a@example.org", subject="s", body="b", key="news:1")
    again = outbox.queue(kind="calendar.at_risk", to="a@example.org", subject="s", body="b", key="news:1")
    assert first is not None and again is None
    assert OutgoingMail.objects.filter(key="news:1").count() == 1


def test_a_reset_link_is_erased_once_sent(world, client, mailoutbox):
    client.post(reverse("password_reset"), {"email": world.people["adviser"].email})
    deliver()
    assert "/accounts/reset/" in mailoutbox[0].body
    assert OutgoingMail.objects.get(kind="account.password_reset").body == ""
